"""Errors a user sees as one line: the input could not be read as a report."""


class UnreadableInputError(Exception):
    """The bytes are not a report we can read (empty, binary, too large, not a report)."""
