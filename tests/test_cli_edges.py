"""The command line's edges: every wrong option value is one line and exit 2, as is a database URL that is none;
a folder that cannot be read is said, not skipped; a portal never crawled (a disabled one too) leaves its
agencies `unreachable`, never `missing`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS

from alerts.schedule import sweep, sync_agencies
from config.registry import load_registry
from store.db import Archive
from xxgk.cli import build_parser, main


def _options(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(command words, option) for every option of every command that takes a typed or chosen value."""
    for action in parser._actions:  # argparse keeps them there
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, (*path, name))
        elif action.option_strings and (action.type is not None or action.choices is not None):
            yield path, action.option_strings[-1]


OPTIONS = sorted(set(_options(build_parser())))
# what each command needs besides the option under test, so that the option is what is wrong
NEEDS: dict[tuple[str, ...], list[str]] = {
    ("parse",): ["x"], ("validate",): ["x"], ("import",): ["x"], ("stats",): ["granted_rate"],
    ("report", "agency"): ["x"], ("report", "region"): ["43"], ("users", "add"): ["x"],
    ("users", "passwd"): ["x"], ("users", "remove"): ["x"], ("alerts", "ack"): ["1"], ("alerts", "dismiss"): ["1"],
    ("review",): ["1", "confirm"], ("sim", "serve"): ["--registry-out", "r", "--truth-out", "t"],
}


def one_line_exit_2(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as ended:
        main(list(argv))
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[" ".join((*c, o)) for c, o in OPTIONS])
def test_a_wrong_option_value_is_one_line(capsys: pytest.CaptureFixture[str], command: tuple[str, ...],
                                          option: str) -> None:
    said = one_line_exit_2(capsys, *command, *NEEDS.get(command, []), option, "\x7fwrong")
    assert said.startswith("xxgk ")
    assert option in said


@pytest.mark.parametrize("argv", [
    ["serve", "--port", "99999"], ["sim", "serve", "--port", "-1", "--registry-out", "r", "--truth-out", "t"],
    ["crawl", "--all", "--timeout", "-5"], ["crawl", "--all", "--timeout", "nan"], ["demo", "--timeout", "0"],
    ["demo", "--portals", "0"], ["demo", "--as-of", "2026-13-01"], ["import", "x", "--jobs", "0"],
    ["sim", "serve", "--latency", "-1", "--registry-out", "r", "--truth-out", "t"],
], ids=" ".join)
def test_a_value_out_of_its_range_is_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    one_line_exit_2(capsys, *argv)


@pytest.mark.parametrize("argv", [
    ["monitor", "--once"], ["monitor"], ["crawl", "--all"], ["status"], ["import", str(SEEDS[0])],
], ids=" ".join)
def test_a_database_url_that_is_none_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     argv: list[str]) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text("portals: []\n", encoding="utf-8")
    assert main([*argv, "--db", "not a url", "--registry", str(registry)]) == 2
    assert capsys.readouterr().err.strip() == (
        "xxgk: --db：'not a url' 不是数据库地址（例如 sqlite:///xxgk.sqlite3 或 postgresql+psycopg://用户@主机/库名）")


def test_users_add_without_a_terminal_is_one_line(tmp_path: Path) -> None:
    """A new session has no controlling terminal: asked for a password there, the command says how to give
    one, in one line, instead of reading stdin with the password echoed."""
    done = subprocess.run([str(Path(sys.executable).with_name("xxgk")), "users", "add", "someone",
                           "--db", f"sqlite:///{tmp_path / 'a.sqlite3'}"], input="secret-typed\n", capture_output=True,
                          text=True, start_new_session=True, check=False, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["xxgk: 没有读到密码：请在终端中运行，或用 --password-stdin 从标准输入给出"]
    assert "secret-typed" not in done.stdout + done.stderr


# ---- a folder that cannot be read ---------------------------------------------------------------------------

@pytest.fixture
def half_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a report, and a subfolder with another that cannot be listed (as for a user without the
    right to; the tests run as root, who has every right, so the listing itself is refused)."""
    folder = tmp_path / "reports"
    (folder / "locked").mkdir(parents=True)
    (folder / SEEDS[0].name).write_bytes(SEEDS[0].read_bytes())
    (folder / "locked" / SEEDS[2].name).write_bytes(SEEDS[2].read_bytes())
    scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(tmp_path / "snapshots"))
    return folder


@pytest.mark.parametrize("command", [["validate", "--brief"], ["parse", "--json"], ["import", "--json"]])
def test_an_unreadable_subfolder_is_said_and_the_rest_is_read(half_readable: Path, tmp_path: Path, command: list[str],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'a.sqlite3'}", "--region", "430381"] if command[0] == "import" else []
    assert main([*command, str(half_readable), *db]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"xxgk: {half_readable / 'locked'}：无法读取该文件夹（Permission denied），其中的文件未处理"
    assert SEEDS[0].name in captured.out or command[0] == "parse"
    assert SEEDS[2].name not in captured.out


# ---- a portal never crawled ---------------------------------------------------------------------------------

REGISTRY = """\
portals:
  - id: crawled
    name: 甲县人民政府网
    base_url: http://127.0.1.1:8000/
    agencies: [{name: 甲县民政局, level: department, region: "431000"}]
  - id: idle
    name: 乙县人民政府网
    base_url: http://127.0.1.2:8000/
    enabled: false
    agencies: [{name: 乙县民政局, level: department, region: "431100"}]
  - id: new
    name: 丙县人民政府网
    base_url: http://127.0.1.3:8000/
    agencies: [{name: 丙县民政局, level: department, region: "431200"}]
"""


def test_a_portal_never_crawled_leaves_its_agencies_unreachable(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.archive import finish_run  # noqa: PLC0415
    from store.evidence import covered  # noqa: PLC0415
    from store.models import CrawlRun  # noqa: PLC0415

    (tmp_path / "registry.yaml").write_text(REGISTRY, encoding="utf-8")
    registry = load_registry(tmp_path / "registry.yaml")
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    as_of = dt.date(2026, 6, 1)
    with Archive.open(url, create=True) as archive:
        sync_agencies(archive, registry)
        with archive.write() as session:  # the one portal crawled, completely
            run = CrawlRun(portals=["crawled"])
            session.add(run)
            session.flush()
            covered(session, run.id, ["crawled"])
            run_id = run.id
        finish_run(archive, run_id, {}, {}, {"crawled": {"list_pages": 3}})
        queued = sweep(archive, registry, as_of, dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)).queued
    assert main(["status", "--json", "--year", "2025", "--db", url, "--registry", str(tmp_path / "registry.yaml"),
                 "--as-of", as_of.isoformat()]) == 0
    rows = {r["agency"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {"甲县民政局": "missing", "乙县民政局": "unreachable", "丙县民政局": "unreachable"}
    assert queued["missing_report"] == 1  # only the crawled portal's agency is told of
