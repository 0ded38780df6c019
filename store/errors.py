"""The one error the archive raises for anything operational (database, disk): a single line for the user."""


class StoreError(Exception):
    """The archive could not do the job (server unreachable, read-only or locked file, disk full).

    The message is one line a user can act on; the CLI maps it to exit code 1 (docs/cli.md).
    Whatever the job was writing has been rolled back.
    """


class SnapshotMissingError(StoreError):
    """A document's stored bytes are gone from the snapshot directory (deleted or never copied over)."""


class WrongArchiveError(StoreError):
    """The user named a database that cannot be the archive (the CLI's exit 2, a usage error): not a
    database URL, or, for a command that only reads, a database that holds no archive — which must
    not be created empty and then reported as empty."""
