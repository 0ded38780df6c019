"""The `xxgk` command line (docs/cli.md). Exit 0 done, 1 operational failure, 2 bad input."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from catalogue.cli import argparse_text, say
from config.settings import SettingsError
from xxgk.commands import (
    COMMAND_MODULES,
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_OK,
    OperationalError,
    UsageError,
    error,
)


class Parser(argparse.ArgumentParser):
    """argparse in Chinese, and a mistake on the command line as one line (exit 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        print(say("usage.error", prog=self.prog, message=message), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


# argparse looks its own words up through gettext when it prints them
argparse._ = argparse_text  # type: ignore[attr-defined]
argparse.ngettext = lambda singular, plural, n: argparse_text(singular if n == 1 else plural)  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="xxgk", description="政府信息公开工作年度报告：解析、校验、归档、监测")
    sub = parser.add_subparsers(dest="command", required=True, title="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (UsageError, SettingsError) as exc:
        error(str(exc))
        return EXIT_BAD_INPUT
    except OperationalError as exc:
        error(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
