"""The archive's vocabulary, importable without SQLAlchemy (the CLI builds its parser from it)."""

from __future__ import annotations

from typing import Final

LEVELS: Final = ("province", "city", "county", "township", "department")
DATE_SOURCES: Final = ("cli", "page", "meta", "list", "url", "first_seen")
SEVERITIES: Final = ("error", "warning", "info")
REVIEW_STATES: Final = ("open", "confirmed", "dismissed")
# a person closes an alert by acknowledging it (known, being handled) or dismissing it (not a problem)
ALERT_STATES: Final = ("queued", "sent", "failed", "acknowledged", "dismissed")
# whether a found report could be read (store.models.Report.reading)
READINGS: Final = ("read", "unread", "unreadable")

# timeliness of an agency-year (store.status) and the two flags that ride along
STATUSES: Final = ("on_time", "late", "missing", "not_due", "unreachable", "unconfirmed")
FLAGS: Final = ("inconsistent", "changed")
# what `xxgk query --status` accepts (docs/cli.md)
QUERY_STATUSES: Final = (
    "on_time", "late", "missing", "inconsistent", "changed", "not_due", "unreachable", "unconfirmed",
)

# how a version came to be: the first reading, the agency's new content, the parser reading the same
# bytes again, or a person correcting cells the parser misread
VERSION_KINDS: Final = ("first", "revised", "reparsed", "correction")
# dashboard accounts: what each may do, from least to most
ROLES: Final = ("viewer", "editor", "admin")
# what a template cell holds (store.cells): a number, a zero, nothing, a mark saying "not applicable"
# (`/`, `—`, `无`), or words (`详见附表`)
CELL_KINDS: Final = ("number", "zero", "blank", "not_applicable", "text")
# a crawl run's per-portal statistic `unregistered:<name>`: reports of a name no agency of the portal goes by
UNREGISTERED: Final = "unregistered:"
