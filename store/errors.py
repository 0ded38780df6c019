"""The one error the archive raises for anything operational (database, disk): a single line for the user."""


class StoreError(Exception):
    """The archive could not do the job (server unreachable, read-only or locked file, disk full).

    The message is one line a user can act on; the CLI maps it to exit code 1 (spec/cli.md).
    Whatever the job was writing has been rolled back.
    """


class SnapshotMissingError(StoreError):
    """A document's stored bytes are gone from the snapshot directory (deleted or never copied over)."""
