"""Errors a user sees as one line: the input could not be read as a report."""

from __future__ import annotations

from catalogue.extract import say


class UnreadableInputError(Exception):
    """The bytes are not a report we can read (empty, binary, too large, not a report).

    `key` names the reason for programs (`catalogue.extract`), `words` fill it in; the message
    is the Chinese line a person reads.
    """

    def __init__(self, key: str, **words: object) -> None:
        self.key = key
        self.words = words
        super().__init__(" ".join(say(key, **words).splitlines()))  # one line, whatever a reason quoted

    def __reduce__(self) -> tuple[object, tuple[str, dict[str, object]]]:
        """Pickled by key and words (a parse in a worker process raises it in the parent)."""
        return _rebuild, (self.key, self.words)


def _rebuild(key: str, words: dict[str, object]) -> UnreadableInputError:
    return UnreadableInputError(key, **words)
