"""What an option's value must be, checked as the command line is read: a wrong one is the one-line usage
error of xxgk.cli (exit 2), never a traceback from deep inside the command (a port of 99999, a timeout
of -5 seconds, a date of `abc`). One function per kind of value; the commands name them in `type=`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from catalogue.cli import say

T = TypeVar("T", int, float)


def _number(convert: Callable[[str], T], test: Callable[[T], bool], key: str) -> Callable[[str], T]:
    def value(raw: str) -> T:
        try:
            number = convert(raw)
        except ValueError:
            number = None
        if number is None or not test(number):
            raise argparse.ArgumentTypeError(say(key, raw=repr(raw)))
        return number

    return value


port = _number(int, lambda n: 0 <= n <= 65535, "value.port")
seconds = _number(float, lambda n: 0 < n < float("inf"), "value.seconds")
at_least_one = _number(int, lambda n: n >= 1, "value.at_least_one")
not_negative = _number(float, lambda n: 0 <= n < float("inf"), "value.not_negative")
positive = _number(float, lambda n: 0 < n < float("inf"), "value.positive")


def day(raw: str) -> str:
    """A date (YYYY-MM-DD), kept as written."""
    from config.settings import SettingsError, parse_date  # noqa: PLC0415

    try:
        return parse_date(raw, "").isoformat()
    except SettingsError:
        raise argparse.ArgumentTypeError(say("value.day", raw=repr(raw))) from None
