"""The archive: reports, versions, findings and alerts in SQL (issue 4)."""
