"""The `xxgk` command line (../shared/spec/cli.md). Exit 0 done, 1 operational failure, 2 bad input."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description="政府信息公开工作年度报告：解析、校验、归档、监测")
    sub = parser.add_subparsers(dest="command", required=True)
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
