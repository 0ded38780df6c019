"""Deadlines, statuses and e-mail alerts to supervisors (issue 8)."""
