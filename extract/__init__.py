"""Bytes of a report (text, HTML, later PDF/DOCX/…) → the canonical record."""
