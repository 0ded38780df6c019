"""The `xxgk` command line (../shared/spec/cli.md). Exit 0 done, 1 operational failure, 2 bad input.

Heavy packages are imported inside the commands so that `xxgk parse` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPORT_SUFFIXES = frozenset({".txt", ".md", ".text", ".html", ".htm", ".shtml", ".xhtml"})
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A user's mistake: reported as one line, exit 2."""


def _files(paths: Sequence[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            if not found:
                raise UsageError(f"{path}: no report files (txt, md, html) in this directory")
            yield from found
        elif path.exists():
            yield path
        else:
            raise UsageError(f"{path}: no such file or directory")


def _error(message: str) -> None:
    print(f"xxgk: {message}", file=sys.stderr)


def _parse_all(paths: Sequence[str]) -> tuple[list[tuple[Path, dict[str, Any]]], bool]:
    from extract.errors import UnreadableInputError  # noqa: PLC0415
    from extract.parse import parse_path  # noqa: PLC0415

    out, failed = [], False
    for path in _files(paths):
        try:
            out.append((path, parse_path(path)))
        except UnreadableInputError as exc:
            _error(f"{path}: {exc}")
            failed = True
    return out, failed


def _console() -> Any:
    from rich.console import Console  # noqa: PLC0415

    return Console(width=None if sys.stdout.isatty() else 132)


def _dump(items: list[Any]) -> None:
    payload = items[0] if len(items) == 1 else items
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def cmd_parse(args: argparse.Namespace) -> int:
    parsed, failed = _parse_all(args.paths)
    if args.json:
        if parsed:
            _dump([record for _, record in parsed])
    else:
        from xxgk.console import print_report  # noqa: PLC0415

        console = _console()
        for file, record in parsed:
            print_report(console, str(file), record)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from extract.errors import UnreadableInputError  # noqa: PLC0415
    from extract.parse import parse_path  # noqa: PLC0415
    from validate import validate  # noqa: PLC0415

    previous = None
    if args.previous:
        try:
            previous = parse_path(Path(args.previous))
        except UnreadableInputError as exc:
            raise UsageError(f"--previous {args.previous}: {exc}") from None
    parsed, failed = _parse_all(args.paths)
    results: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
    for path, record in parsed:
        findings = [f.to_dict() for f in validate(record, previous=previous)]
        results.append((str(path), record, findings))
    if args.json:
        if results:
            _dump([{"report": record, "findings": findings} for _, record, findings in results])
    else:
        from xxgk.console import print_findings, print_report, print_summary  # noqa: PLC0415

        console = _console()
        for name, record, findings in results:
            print_report(console, name, record)
            print_findings(console, findings)
        if len(results) > 1:
            print_summary(console, results)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description="政府信息公开工作年度报告：解析、校验、归档、监测")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report files into the canonical record")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the canonical record(s) as JSON")
    p.set_defaults(func=cmd_parse)

    v = sub.add_parser("validate", help="parse and check report files")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument("--json", action="store_true", help='print {"report": …, "findings": […]} per file')
    v.add_argument("--previous", metavar="PATH", help="last year's report, for the cross-year rules")
    v.set_defaults(func=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
