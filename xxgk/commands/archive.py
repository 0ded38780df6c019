"""`xxgk db upgrade`, `import`, `reparse`, `query`, `show`, `status`, `review`: the archive (store/)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue.cli import say
from catalogue.terms import LEVELS as LEVEL_NAMES
from catalogue.terms import name
from config.settings import Settings, add_common_options, parse_date
from store.terms import FLAGS, LEVELS, QUERY_STATUSES, STATUSES
from xxgk.commands import EXIT_BAD_INPUT, EXIT_OK, OperationalError, UsageError, console, dump_json, error, values

if TYPE_CHECKING:
    from store.db import Archive

REVIEW_VERBS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}


@contextmanager
def opened(
    args: argparse.Namespace, *, migrate: bool = True, create: bool = False
) -> Iterator[tuple[Archive, Settings]]:
    """The archive named by --db/--project, schema ensured; its failures become one-line operational
    errors (exit 1). Only commands that store (`create`) may make a new one; the others refuse a
    database that holds no archive (exit 2) rather than report that an empty one is empty."""
    from store.db import Archive  # noqa: PLC0415
    from store.errors import StoreError, WrongArchiveError  # noqa: PLC0415

    settings = Settings.load(args)
    try:
        with Archive.open(settings.database_url, migrate=migrate, create=create) as archive:
            yield archive, settings
    except WrongArchiveError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise OperationalError(str(exc)) from None


# ---- db upgrade -------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    with opened(args, migrate=False, create=True) as (archive, _):
        before, head = archive.upgrade()
    was = "" if before == head else say("db.was", before=before or say("db.empty"))
    print(say("db.at_head", head=head, was=was))
    return EXIT_OK


# ---- import ----------------------------------------------------------------------


def read_and_parse(path: Path) -> tuple[bytes, dict[str, Any]]:
    """A report file's bytes and its record; with --jobs this runs in worker processes."""
    from extract.files import read_file  # noqa: PLC0415
    from extract.parse import parse_bytes  # noqa: PLC0415

    data = read_file(path)  # a regular file, read no further than the limit
    return data, parse_bytes(data, name=path.name)


def _parsed(files: Sequence[Path], jobs: int) -> Iterator[tuple[Path, tuple[bytes, dict[str, Any]] | Exception]]:
    """Each file parsed, in order. With several jobs the parsing runs ahead in other processes while this
    one stores, but never more than a few files ahead, so that memory stays flat on a large import.
    """
    from extract.errors import UnreadableInputError  # noqa: PLC0415

    if jobs <= 1:
        for path in files:
            try:
                yield path, read_and_parse(path)
            except (OSError, UnreadableInputError) as exc:
                yield path, exc
        return
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import Future, ProcessPoolExecutor  # noqa: PLC0415

    # spawn: the workers only parse, and must not inherit this process's database connections
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        ahead: deque[tuple[Path, Future[tuple[bytes, dict[str, Any]]]]] = deque()
        queue = iter(files)
        for path in queue:
            ahead.append((path, pool.submit(read_and_parse, path)))
            if len(ahead) >= 4 * jobs:
                break
        while ahead:
            path, future = ahead.popleft()
            following = next(queue, None)
            if following is not None:
                ahead.append((following, pool.submit(read_and_parse, following)))
            try:
                yield path, future.result()
            except (OSError, UnreadableInputError) as exc:
                yield path, exc


def cmd_import(args: argparse.Namespace) -> int:
    from store.errors import StoreError  # noqa: PLC0415
    from store.ingest import IncompleteReportError, Source, ingest  # noqa: PLC0415
    from store.models import utcnow  # noqa: PLC0415
    from xxgk.commands.reports import report_files  # noqa: PLC0415

    files, failed = report_files(args.paths)
    if args.url and len(files) > 1:
        raise UsageError(say("import.one_url"))
    dates = {"cli": parse_date(args.published, "--published")} if args.published else {}
    results: list[dict[str, Any]] = []
    with opened(args, create=True) as (archive, _):
        for path, parsed in _parsed(files, args.jobs):
            if isinstance(parsed, Exception):  # unreadable: say so and go on with the rest
                error(say("import.failed_file", path=path, reason=getattr(parsed, "strerror", None) or parsed))
                failed = True
                continue
            data, record = parsed
            source = Source(
                data=data, name=path.name, url=args.url or "", agency=args.agency, level=args.level,
                region=args.region, year=args.year, dates=dates, seen_at=utcnow(),
            )
            try:
                outcome = ingest(archive, source, record)
            except IncompleteReportError as exc:
                error(say("import.failed_file", path=path, reason=exc))
                failed = True
                continue
            except StoreError as exc:
                raise StoreError(f"{path}: {exc}") from exc
            results.append({"path": str(path), **outcome.to_dict()})
            if not args.json:
                _print_outcome(results[-1])
    if args.json:
        dump_json(results)
    else:
        _print_totals(results, failed=failed)
    return EXIT_BAD_INPUT if failed else EXIT_OK


_CHANGE_LABELS = {"new_report": "新报告", "new_version": "新版本", "unchanged": "未变化"}


def _print_outcome(item: Mapping[str, Any]) -> None:
    print(f"{_CHANGE_LABELS[item['change']]}  #{item['report_id']} v{item['version']}  {item['agency']} "
          f"{item['year']}年  错误 {item['errors']}  警告 {item['warnings']}  {item['path']}")


def _print_totals(results: Sequence[Mapping[str, Any]], *, failed: bool) -> None:
    counts = {label: sum(r["change"] == change for r in results) for change, label in _CHANGE_LABELS.items()}
    line = "，".join(f"{label} {n}" for label, n in counts.items())
    print(f"共 {len(results)} 份：{line}" + ("；部分文件未能导入，见上方错误" if failed else ""))


# ---- reparse ---------------------------------------------------------------------


def cmd_reparse(args: argparse.Namespace) -> int:
    from extract.errors import UnreadableInputError  # noqa: PLC0415
    from store.errors import SnapshotMissingError  # noqa: PLC0415
    from store.reparse import reparse_one, stored_reports  # noqa: PLC0415

    results: list[dict[str, Any]] = []
    problems = 0
    with opened(args) as (archive, _):
        for stored in stored_reports(archive, everything=args.all):
            try:
                results.append(reparse_one(archive, stored).to_dict())
            except UnreadableInputError as exc:
                error(say("reparse.fails", id=stored.report_id, agency=stored.agency, year=stored.year, reason=exc))
                problems += 1
            except SnapshotMissingError as exc:
                # one lost snapshot must not stop the rest
                error(say("reparse.snapshot", id=stored.report_id, reason=exc))
                problems += 1
    if args.json:
        dump_json(results)
    else:
        changed = sum(r["change"] == "new_version" for r in results)
        print(f"重新解析 {len(results)} 份：新版本 {changed}，未变化 {len(results) - changed}"
              + (f"，失败 {problems}" if problems else ""))
    if problems:
        raise OperationalError(say("reparse.some_failed", n=problems))
    return EXIT_OK


# ---- query and status ------------------------------------------------------------


def _filters(args: argparse.Namespace) -> Any:
    from store.status import Filters  # noqa: PLC0415

    return Filters(agency=args.agency, region=args.region, level=args.level, year=args.year)


def output_format(args: argparse.Namespace) -> str:
    """--json, else --format, else the --out file's suffix, else a table (query and stats alike)."""
    if args.json:
        return "json"
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    return suffix if suffix in {"csv", "json", "xlsx"} else "table"


def emit(rows: Sequence[Mapping[str, Any]], args: argparse.Namespace, title: str,
         summary: str | None = None) -> None:
    """Rows in the format asked for, to --out or stdout; binary XLSX never to a terminal."""
    from store import export  # noqa: PLC0415

    fmt = output_format(args)
    if fmt == "table":
        if args.out:
            raise UsageError(say("query.out_needs_format"))
        out = console()
        out.print(export.to_table(rows, title))
        if summary:
            out.print(summary)
        return
    data = {"json": lambda: export.to_json(rows).encode("utf-8"), "csv": lambda: export.to_csv(rows),
            "xlsx": lambda: export.to_xlsx(rows, title)}[fmt]()
    if args.out:
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise UsageError(say("files.out", path=args.out, reason=exc.strerror or exc)) from None
    elif fmt == "xlsx" and sys.stdout.isatty():
        raise UsageError(say("query.xlsx_tty"))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _status_summary(rows: Sequence[Any]) -> str:
    counts = Counter(r.status for r in rows)
    parts = [f"{name('status', key)} {n}" for key, n in sorted(counts.items(), key=lambda kv: STATUSES.index(kv[0]))]
    parts += [f"{name('status', flag)} {n}" for flag in FLAGS if (n := sum(getattr(r, flag) for r in rows))]
    return f"共 {len(rows)} 行：" + "，".join(parts)


def _monitoring(settings: Settings, session: Any) -> tuple[int | None, set[int]]:
    """With a registry: its first monitored year, and the agencies whose portal failed its last crawl
    (`unreachable`: we could not look, so we cannot say `missing`). Without one: neither."""
    if not settings.registry.exists():
        return None, set()
    from alerts import health  # noqa: PLC0415
    from config.registry import RegistryError, load_registry  # noqa: PLC0415

    try:
        registry = load_registry(settings.registry)
    except RegistryError as exc:
        raise UsageError(exc.problems[0]) from None
    return health.monitoring(session, registry)


def cmd_status(args: argparse.Namespace) -> int:
    from store.status import compliance  # noqa: PLC0415

    if args.workers:
        from xxgk.commands.jobs import cmd_status_workers  # noqa: PLC0415 - distributed mode

        return cmd_status_workers(args)

    with opened(args) as (archive, settings), archive.read() as session:
        first_year, unreachable = _monitoring(settings, session)
        rows = compliance(session, settings.as_of, _filters(args), unreachable=unreachable, first_year=first_year)
    emit([r.to_dict() for r in rows], args, f"年报发布情况（截至 {settings.as_of.isoformat()}）", _status_summary(rows))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from store.queries import query  # noqa: PLC0415

    with opened(args) as (archive, settings), archive.read() as session:
        first_year, unreachable = _monitoring(settings, session)
        rows = query(session, settings.as_of, _filters(args), status=args.status, rule=args.rule,
                     unreachable=unreachable, first_year=first_year)
    emit([r.to_dict() for r in rows], args, f"查询结果（截至 {settings.as_of.isoformat()}）", _status_summary(rows))
    return EXIT_OK


# ---- show and review -------------------------------------------------------------


def _report_id(archive: Archive, target: Sequence[str]) -> int | None:
    """The report to show; None for an agency-year without one (its status and evidence are shown)."""
    from store.queries import find_reports  # noqa: PLC0415

    if len(target) == 1 and target[0].isdigit():
        return int(target[0])
    if len(target) != 2 or not target[1].isdigit():
        raise UsageError(say("show.target"))
    with archive.read() as session:
        ids = find_reports(session, target[0], int(target[1]))
    if not ids:
        return None
    if len(ids) > 1:
        error(say("show.several", n=len(ids), first=ids[0], others="、".join(f"#{i}" for i in ids[1:])))
    return ids[0]


def cmd_show(args: argparse.Namespace) -> int:
    from store.queries import report_detail  # noqa: PLC0415

    with opened(args) as (archive, settings):
        report_id = _report_id(archive, args.target)
        if report_id is None:
            return _show_absent(args, archive, settings)
        with archive.read() as session:
            detail = report_detail(session, report_id, settings.as_of)
    if detail is None:
        raise UsageError(say("show.no_id", id=report_id))
    if args.json or args.format == "json":
        dump_json(detail)
    else:
        _print_detail(detail)
    return EXIT_OK


def _show_absent(args: argparse.Namespace, archive: Archive, settings: Settings) -> int:
    """An agency-year without a report: its status, and the crawl and faults that status rests on."""
    from catalogue.terms import fault  # noqa: PLC0415
    from store.queries import absent_row  # noqa: PLC0415

    agency, year = args.target[0], int(args.target[1])
    with archive.read() as session:
        first_year, unreachable = _monitoring(settings, session)
        row = absent_row(session, agency, year, settings.as_of, unreachable=unreachable, first_year=first_year)
    if row is None:
        raise UsageError(say("show.none_of", agency=agency, year=year))
    if args.json or args.format == "json":
        dump_json(row.to_dict())
        return EXIT_OK
    out = console()
    late = say("show.days_late", days=row.days_late) if row.days_late else ""
    out.print(say("show.absent", agency=row.agency, year=row.year, status=name("status", row.status),
                  deadline=row.deadline.isoformat()) + late, markup=False)
    if row.evidence is None:
        out.print(say("show.evidence", evidence=say("evidence.none")), markup=False)
        return EXIT_OK
    run = row.evidence.run
    verdict = say("evidence.complete", run=run) if row.evidence.complete else say(
        "evidence.incomplete", run=run, faults="")
    out.print(say("show.evidence", evidence=verdict), markup=False)
    for gap in row.evidence.gaps:
        out.print("  " + say("evidence.fault", fault=fault(gap.kind, gap.detail), url=gap.url), markup=False)
    return EXIT_OK


def _print_detail(detail: Mapping[str, Any]) -> None:
    from rich.table import Table  # noqa: PLC0415

    from alerts.digest import reading_note  # noqa: PLC0415
    from store.export import flags_text  # noqa: PLC0415
    from xxgk.console import print_report, severity_label  # noqa: PLC0415

    out = console()
    print_report(out, f"报告 #{detail['report_id']}  {detail['agency']} {detail['year']}年", detail["record"])
    flags = flags_text({**detail, "reading": None})  # the reading has its own line, with the reason
    source = f"（{name('date_source', detail['published_source'])}）" if detail["published_source"] else ""
    out.print(f"层级：{name('level', detail['level'])}　区划：{detail['region'] or '—'}　"
              f"网址：{detail['url'] or '（本地导入）'}")
    out.print(f"状态：{name('status', detail['status'])}　截止：{detail['deadline']}　"
              f"发布：{detail['published'] or '未知'}{source}"
              + (f"　逾期 {detail['days_late']} 天" if detail["status"] == "late" else "")
              + (f"　[red]{flags}" if flags else ""))
    if detail.get("reading") not in {None, "read"}:
        out.print(say("show.reading", reading=name("reading", detail["reading"]),
                      why=reading_note(detail.get("reading_note"))), markup=False)
    if detail["dates"]:
        sources = "；".join(f"{name('date_source', d['source'])} {d['value']}" for d in detail["dates"])
        out.print(f"发布日期来源：{sources}")
    findings = Table(title="检查结果（核实：xxgk review 编号 confirm|dismiss|reopen --by 姓名）", title_justify="left")
    for head in ("编号", "级别", "说明", "核实"):
        findings.add_column(head, no_wrap=head != "说明")
    for f in detail["findings"]:
        review = f["review"]
        verdict = "" if review["state"] == "open" else f"{name('review_state', review['state'])} · {review['by']}"
        findings.add_row(f"#{f['id']}", severity_label(f["severity"]), f["message"],
                         verdict + (f"：{review['note']}" if review["note"] else ""))
    out.print(findings if detail["findings"] else "[green]未发现问题。")
    versions = Table(title="版本", title_justify="left")
    for head in ("版本", "时间", "sha256", "解析器", "错误", "变化"):
        versions.add_column(head)
    for v in detail["versions"]:
        versions.add_row(str(v["number"]), v["created_at"][:19].replace("T", " "), v["sha256"][:12], v["parser"],
                         str(v["errors"]), v["change"])
    out.print(versions)


def cmd_review(args: argparse.Namespace) -> int:
    from store.findings import review_finding  # noqa: PLC0415

    state = REVIEW_VERBS[args.verdict]
    with opened(args) as (archive, _):
        try:
            with archive.write() as session:
                finding = review_finding(session, args.finding_id, state, args.by, args.why)
                line = say("review.done", id=finding.id, rule=finding.rule, state=name("review_state", state))
        except LookupError as exc:
            raise UsageError(str(exc.args[0])) from None
    print(line)
    return EXIT_OK


# ---- registration ----------------------------------------------------------------


def _year(raw: str) -> int:
    if not raw.isdigit() or not 1990 <= int(raw) <= 2100:
        raise argparse.ArgumentTypeError(say("year.not_a_year", raw=repr(raw)))
    return int(raw)


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agency", metavar="TEXT", help="名称中含 TEXT 的单位")
    parser.add_argument("--region", metavar="CODE", help="区划代码前缀（43 即湖南全省）")
    levels = "、".join(f"{k} {v}" for k, v in LEVEL_NAMES.items())
    parser.add_argument("--level", choices=LEVELS, help=f"层级：{levels}")
    parser.add_argument("--year", type=_year, metavar="Y", help="报告年度")


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json", "xlsx"),
                        help="默认 table（表格），或按 --out 文件的后缀")
    parser.add_argument("--out", metavar="FILE", help="写入 FILE 而不是输出到屏幕")
    parser.add_argument("--json", action="store_true", help="等同于 --format json")


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="归档数据库")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="创建数据库或升级其结构")
    add_common_options(up)
    up.set_defaults(func=cmd_db_upgrade)

    imp = sub.add_parser("import", help="把报告文件存入归档（可重复运行）")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument("--agency", metavar="NAME", help="发布单位（默认：报告自称的名称）")
    imp.add_argument("--year", type=_year, metavar="Y", help="报告年度（默认：报告所写年度）")
    imp.add_argument("--url", metavar="URL", help="报告发布的网址（仅限一个文件）")
    imp.add_argument("--published", metavar="DATE", help="报告页面上所署的发布日期")
    imp.add_argument("--level", choices=LEVELS, help="单位层级（默认：由名称推断）")
    imp.add_argument("--region", metavar="CODE", help="单位的行政区划代码")
    imp.add_argument("--jobs", type=values.at_least_one, default=1, metavar="N",
                     help="用 N 个进程解析（批量导入；默认 1）")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出存入情况")
    add_common_options(imp)
    imp.set_defaults(func=cmd_import)

    rep = sub.add_parser("reparse", help="重新解析和检查已存档的报告（解析器更新之后）")
    rep.add_argument("--all", action="store_true", help="全部报告，而不只是旧版解析器读过的")
    rep.add_argument("--json", action="store_true", help="以 JSON 输出")
    add_common_options(rep)
    rep.set_defaults(func=cmd_reparse)

    q = sub.add_parser("query", help="按条件列出报告或发布情况")
    _filter_options(q)
    q.add_argument("--status", choices=QUERY_STATUSES,
                   help="状态：" + "、".join(f"{k} {name('status', k)}" for k in QUERY_STATUSES))
    q.add_argument("--rule", metavar="ID", help="当前版本有此规则检查结果的报告（规则编号）")
    _output_options(q)
    add_common_options(q)
    q.set_defaults(func=cmd_query)

    show = sub.add_parser("show", help="查看一份报告：基本信息、表格、检查结果、版本")
    show.add_argument("target", nargs="+", metavar="REPORT_ID | AGENCY YEAR")
    show.add_argument("--format", choices=("table", "json"), help="默认 table（表格）")
    show.add_argument("--json", action="store_true", help="等同于 --format json")
    add_common_options(show)
    show.set_defaults(func=cmd_show)

    st = sub.add_parser("status", help="发布情况总表：单位 × 年度")
    _filter_options(st)
    _output_options(st)
    st.add_argument("--workers", action="store_true",
                    help="分布式模式：任务队列的积压、在线的工作进程和失败的任务（而不是发布情况）")
    add_common_options(st)
    st.set_defaults(func=cmd_status)

    rv = sub.add_parser("review", help="记录对一条检查结果的核实结论（以后的版本沿用）")
    rv.add_argument("finding_id", type=int, metavar="FINDING_ID", help="检查结果编号（xxgk show 中的 #编号）")
    rv.add_argument("verdict", choices=tuple(REVIEW_VERBS), help="confirm 已核实、dismiss 已排除、reopen 重新打开")
    rv.add_argument("--by", required=True, metavar="NAME", help="核实人")
    rv.add_argument("--why", metavar="TEXT", help="理由")
    add_common_options(rv)
    rv.set_defaults(func=cmd_review)
