"""Canonical record → findings a supervisor can act on."""
