"""The monitor (issue 8): deadlines and statuses, alerts to three audiences, delivered by e-mail on a schedule.

rules (which facts the archive implies, and their dedupe keys) · health (portals and spiders, from the crawl
runs) · routing (who hears of a fact, how often) · outbox (the Alert table: queued once, sent once, retried,
reminded, stopped) · digest + templates (one e-mail per recipient and cadence) · smtp · delivery (outbox to
server) · schedule (APScheduler, `run_once`) · messages (every Chinese word a person reads). See docs/alerts.md.
"""
