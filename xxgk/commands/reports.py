"""`xxgk parse` and `xxgk validate`: report files → canonical records → findings."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from catalogue.cli import say
from xxgk.commands import EXIT_BAD_INPUT, EXIT_OK, UsageError, console, dump_json, error

REPORT_SUFFIXES = frozenset({
    ".txt", ".md", ".text", ".html", ".htm", ".shtml", ".xhtml",
    # attachments (extract.media.ATTACHMENT_SUFFIXES): read by their medium's extractor
    ".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".xlsx", ".xls", ".et", ".ods",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp",
})


def report_files(paths: Sequence[str]) -> tuple[list[Path], bool]:
    """Files named on the command line, and the report files inside named directories; and whether a folder
    inside them could not be read (each is said on stderr, and the rest goes on, as for a file)."""
    files: list[Path] = []
    unreadable: list[OSError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _folder_files(path, unreadable.append)
            if not found and not unreadable:
                raise UsageError(say("files.none_in_folder", path=path))
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(say("files.missing", path=path))
    for exc in unreadable:
        error(say("files.unreadable_folder", path=exc.filename, reason=exc.strerror or exc))
    return files, bool(unreadable)


def _folder_files(folder: Path, unreadable: Callable[[OSError], None]) -> list[Path]:
    """The report files in a folder and its subfolders, in order; a subfolder that cannot be listed is handed
    to `unreadable` (pathlib's rglob would skip it without a word)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs.sort()
        found += (p for p in (Path(root, n) for n in names) if p.suffix.lower() in REPORT_SUFFIXES and p.is_file())
    return sorted(found)


def parse_files(
    paths: Sequence[str], previous: dict[str, Any] | None = None
) -> tuple[list[tuple[Path, dict[str, Any]]], bool]:
    """Parse every file; an unreadable one is reported on stderr and the rest go on."""
    from extract.errors import UnreadableInputError  # noqa: PLC0415
    from extract.parse import parse_path  # noqa: PLC0415

    out: list[tuple[Path, dict[str, Any]]] = []
    files, failed = report_files(paths)
    for path in files:
        try:
            out.append((path, parse_path(path, previous)))
        except UnreadableInputError as exc:
            error(say("files.unreadable", path=path, reason=exc))
            failed = True
    return out, failed


def _one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items


def cmd_parse(args: argparse.Namespace) -> int:
    parsed, failed = parse_files(args.paths)
    if args.json:
        if parsed:
            dump_json(_one_or_many([record for _, record in parsed]))
    else:
        from xxgk.console import print_report  # noqa: PLC0415

        out = console()
        for file, record in parsed:
            print_report(out, str(file), record)
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
            raise UsageError(say("files.previous", path=args.previous, reason=exc)) from None
    meta = {k: v for k, v in (("level", args.level), ("published", args.published), ("region", args.region)) if v}
    parsed, failed = parse_files(args.paths, previous)  # last year's figures also help cut run-together digits
    results: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
    for path, record in parsed:
        findings = [f.to_dict() for f in validate(record, previous=previous, meta=meta)]
        results.append((str(path), record, findings))
    if args.json:
        if results:
            dump_json(_one_or_many([{"report": record, "findings": findings} for _, record, findings in results]))
    elif args.brief:
        from xxgk.console import brief_line  # noqa: PLC0415

        for name, record, findings in results:
            print(brief_line(name, record, findings))
    else:
        from xxgk.console import print_findings, print_report, print_summary  # noqa: PLC0415

        out = console()
        for name, record, findings in results:
            print_report(out, name, record)
            print_findings(out, findings)
        if len(results) > 1:
            print_summary(out, results)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _iso_date(raw: str) -> str:
    from config.settings import SettingsError, parse_date  # noqa: PLC0415

    try:
        return parse_date(raw, "--published").isoformat()
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: Any) -> None:
    p = sub.add_parser("parse", help="把报告文件解析为标准记录（表格、章节、年度、单位）")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="以 JSON 输出标准记录")
    p.set_defaults(func=cmd_parse)

    v = sub.add_parser("validate", help="解析并检查报告文件（勾稽关系、空白、结构、正文与表格）")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument("--json", action="store_true", help='每个文件以 JSON 输出 {"report": …, "findings": […]}')
    v.add_argument("--brief", action="store_true", help="每个文件只输出一行：单位、年度、格式、错误和警告数")
    v.add_argument("--previous", metavar="PATH", help="上一年度的报告，用于跨年度核对")
    v.add_argument("--level", choices=("province", "city", "county", "township", "department"),
                   help="发布单位的层级（用于发布期限和合理性检查）")
    v.add_argument("--published", metavar="DATE", type=_iso_date, help="发布日期，YYYY-MM-DD")
    v.add_argument("--region", metavar="CODE", help="单位的行政区划代码")
    v.set_defaults(func=cmd_validate)
