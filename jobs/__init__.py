"""Distributed mode: crawls, parsing and OCR as Celery jobs on several machines, one archive in PostgreSQL.

Chosen by the settings: with a `broker_url` (Redis or RabbitMQ) the scheduler enqueues what is due and
`xxgk worker` processes on any number of machines do it; without one everything runs in one process as
before. The semantics (docs/deploy.md): a job is acknowledged only when done (`acks_late`), a worker that
dies hands its job back (`reject_on_worker_lost`, and the broker's visibility timeout, longer than the
longest job), storing is idempotent (content hashes, upserts), so a job that runs twice stores once; one
crawl at a time per host (a PostgreSQL advisory lock), and retries with backoff for operational failures
only.
"""
