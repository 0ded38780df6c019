"""`xxgk stats` and `xxgk report`: the metric dictionary over the archive, and the generated monitoring
reports (analytics/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from config.settings import Settings, add_common_options
from store.terms import LEVELS
from xxgk.commands import EXIT_OK, OperationalError, UsageError, console
from xxgk.commands.archive import _monitoring, _year, opened, output_format

if TYPE_CHECKING:
    from analytics.document import Document
    from analytics.values import Monitoring

REPORT_FORMATS: Final = ("docx", "xlsx", "pdf")  # analytics.render.FORMATS, without importing it
STATS_FORMATS: Final = ("table", "csv", "json", "xlsx")
_MIN_YEARS, _MAX_YEARS = 3, 10


def _year_of(args: argparse.Namespace, settings: Settings) -> int:
    """--year, else the last year whose reports are due by now (the one before as-of's)."""
    return int(args.year) if args.year else settings.as_of.year - 1


def _monitored(settings: Settings, session: Any) -> Monitoring:
    from analytics.values import Monitoring  # noqa: PLC0415

    first_year, unreachable = _monitoring(settings, session)
    return Monitoring(settings.as_of, frozenset(unreachable), first_year)


def _write(data: bytes, out: str | None, *, binary: bool) -> None:
    """Bytes to --out, else to stdout (binary output never to a terminal)."""
    from catalogue.analytics import words  # noqa: PLC0415

    if out:
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
        return
    if binary and sys.stdout.isatty():
        raise UsageError(words("report.tty"))
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


# ---- stats ----------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from analytics import stats as st  # noqa: PLC0415
    from analytics.metrics import METRICS, find_metric  # noqa: PLC0415
    from analytics.render.plain import to_csv, to_rich  # noqa: PLC0415
    from analytics.render.xlsx import table_to_xlsx  # noqa: PLC0415
    from analytics.values import NotFoundError, Scope  # noqa: PLC0415
    from catalogue.analytics import words  # noqa: PLC0415

    metric = find_metric(args.metric)
    if metric is None:
        raise UsageError(words("stats.unknown_metric", metric=args.metric, known=", ".join(m.key for m in METRICS)))
    if not _MIN_YEARS <= args.years <= _MAX_YEARS:
        raise UsageError(words("stats.bad_years"))
    fmt = output_format(args)
    with opened(args) as (archive, settings), archive.read() as session:
        try:
            result = st.stats(session, metric, Scope(args.region, args.level), _year_of(args, settings),
                              _monitored(settings, session), agency=args.agency, years=args.years)
        except NotFoundError as exc:
            raise UsageError(str(exc)) from None
    tables = [st.agencies_table(result), st.distribution_table(result)]
    if result.agency is not None:
        tables.insert(0, st.series_table(result))
    if fmt == "json":
        _write((json.dumps(st.to_json(result), ensure_ascii=False, indent=1) + "\n").encode("utf-8"), args.out,
               binary=False)
    elif fmt == "csv":
        _write(to_csv(tables[0]), args.out, binary=False)
    elif fmt == "xlsx":
        _write(table_to_xlsx([*tables, st.definition_table([metric])], st.title(result)), args.out, binary=True)
    else:
        if args.out:
            raise UsageError("--out 需要 --format csv、json 或 xlsx")
        out = console()
        for table in tables[:-1]:
            out.print(to_rich(table))
        for line in st.summary_lines(result):
            out.print(line)
    return EXIT_OK


# ---- report ---------------------------------------------------------------------------------------


def _report_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    return suffix if suffix in REPORT_FORMATS else "docx"


def _rendered(document: Document, fmt: str) -> bytes:
    from analytics.render import render  # noqa: PLC0415
    from analytics.render.pdf import ConversionError, office  # noqa: PLC0415
    from catalogue.analytics import words  # noqa: PLC0415

    if fmt == "pdf" and office() is None:
        raise OperationalError(words("report.no_office"))
    try:
        return render(document, fmt)
    except ConversionError as exc:
        raise OperationalError(words("report.office_failed", reason=exc)) from None


def cmd_report(args: argparse.Namespace) -> int:
    from analytics.agency import agency_document, agency_facts  # noqa: PLC0415
    from analytics.region import region_document, region_facts  # noqa: PLC0415
    from analytics.values import NotFoundError  # noqa: PLC0415
    from catalogue.analytics import words  # noqa: PLC0415

    fmt = _report_format(args)
    with opened(args) as (archive, settings), archive.read() as session:
        year = _year_of(args, settings)
        monitoring = _monitored(settings, session)
        try:
            if args.kind == "region":
                document = region_document(region_facts(session, args.target, year, monitoring))
            else:
                document = agency_document(agency_facts(session, args.target, year, monitoring))
        except NotFoundError as exc:
            raise UsageError(str(exc)) from None
    data = _rendered(document, fmt)
    out = args.out or f"{document.title}.{fmt}"
    _write(data, out, binary=True)
    if out != "/dev/stdout":
        print(words("report.written", path=out, size=len(data)), file=sys.stderr)
    return EXIT_OK


# ---- registration ---------------------------------------------------------------------------------


def register(sub: Any) -> None:
    st = sub.add_parser("stats", help="指标词典中的一个指标：分布、四分位数、各机关数值与排名、异常波动")
    st.add_argument("metric", metavar="METRIC", help="指标（如 granted_rate 或 予以公开率；见 docs/metrics.md）")
    st.add_argument("--region", metavar="CODE", help="区划代码前缀（43 即湖南省全部）")
    st.add_argument("--level", choices=LEVELS, help="机关级别")
    st.add_argument("--year", type=_year, metavar="Y", help="报告年度（默认：上一年）")
    st.add_argument("--agency", metavar="NAME", help="另给出该机关历年数值及其在同级机关中的位置")
    st.add_argument("--years", type=int, default=5, metavar="N", help="与 --agency 同用：年数，3–10（默认 5）")
    st.add_argument("--format", choices=STATS_FORMATS, help="输出格式（默认 table，或按 --out 的扩展名）")
    st.add_argument("--out", metavar="FILE", help="写入文件而非标准输出")
    st.add_argument("--json", action="store_true", help="同 --format json")
    add_common_options(st)
    st.set_defaults(func=cmd_stats)

    rep = sub.add_parser("report", help="生成监测报告：区域年度监测报告，或一个机关的监测档案")
    kinds = rep.add_subparsers(dest="kind", required=True)
    for kind, target, what in (("region", "CODE", "区域年度监测报告（区划代码前缀）"),
                               ("agency", "NAME", "一个机关的监测档案（机关名称）")):
        parser = kinds.add_parser(kind, help=what)
        parser.add_argument("target", metavar=target)
        parser.add_argument("--year", type=_year, metavar="Y", help="报告年度（默认：上一年）")
        parser.add_argument("--format", choices=REPORT_FORMATS, help="docx（默认）、xlsx 或 pdf；或按 --out 的扩展名")
        parser.add_argument("--out", metavar="FILE", help="输出文件（默认：以报告标题命名，存于当前文件夹）")
        add_common_options(parser)
        parser.set_defaults(func=cmd_report)
