"""Bad input and broken infrastructure: one line on stderr, exit 1, nothing half-written, the next run recovers."""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES
from sqlalchemy.exc import OperationalError
from store_helpers import generated_reports, row_counts

import store.findings
import store.ingest
from store.db import Archive
from xxgk.cli import main

pytest_plugins = ["store_fixtures"]

SEED_002 = next((FIXTURES / "seeds").glob("002_*.txt"))


def assert_one_line(err: str, *needles: str) -> None:
    assert err.startswith("xxgk: "), err
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def one_line_failure(result, *needles: str) -> None:
    assert result.code == 1, result
    assert_one_line(result.err, *needles)


@pytest.mark.parametrize(("url", "code", "needle"), [
    ("nonsense", 2, "不是数据库地址"),
    ("nosuchdb+driver://x/y", 2, "无法使用"),
    ("postgresql+psycopg://postgres@127.0.0.1:1/test", 1, "无法连接数据库"),
    ("sqlite:////nonexistent-dir/sub/x.sqlite3", 2, "没有归档数据库"),
])
def test_a_wrong_database_url_is_one_line(url: str, code: int, needle: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", url]) == code
    assert_one_line(capsys.readouterr().err, needle)


def test_a_store_into_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(SEED_002), "--db", "sqlite:////nonexistent-dir/sub/x.sqlite3"]) == 1
    assert_one_line(capsys.readouterr().err, "无法打开 SQLite 数据库")


def test_reading_commands_never_create_an_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.sqlite3"
    for command in (["status"], ["query"], ["show", "1"], ["alerts", "list"]):
        assert main([*command, "--db", f"sqlite:///{path}"]) == 2, command
        assert_one_line(capsys.readouterr().err, "xxgk db upgrade")
        assert not path.exists()
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 0
    capsys.readouterr()
    assert main(["status", "--db", f"sqlite:///{path}", "--json"]) == 0


@pytest.fixture
def sqlite_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(tmp_path / "snapshots"))
    path = tmp_path / "archive.sqlite3"
    assert main(["import", str(SEED_002), "--db", f"sqlite:///{path}"]) == 0
    return path


def test_read_only_sqlite(sqlite_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    read_only = f"sqlite:///file:{sqlite_archive}?mode=ro&uri=true"
    before = row_counts(Archive.open(f"sqlite:///{sqlite_archive}"))
    [new_file] = generated_reports(tmp_path / "gen", 1)
    capsys.readouterr()
    assert main(["import", str(new_file), "--db", read_only]) == 1
    err = capsys.readouterr().err
    assert "是只读的" in err
    assert err.count("\n") == 1
    assert main(["status", "--json", "--db", read_only]) == 0  # reading still works
    assert row_counts(Archive.open(f"sqlite:///{sqlite_archive}")) == before


def test_locked_sqlite_fails_cleanly_and_the_next_run_recovers(sqlite_archive: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    [new_file] = generated_reports(tmp_path / "gen", 1)
    holder = sqlite3.connect(sqlite_archive, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    capsys.readouterr()
    try:
        assert main(["import", str(new_file), "--db", f"sqlite:///{sqlite_archive}?timeout=0.2"]) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert "正被另一个进程锁定" in err
    assert err.count("\n") == 1
    assert main(["import", str(new_file), "--db", f"sqlite:///{sqlite_archive}"]) == 0
    assert row_counts(Archive.open(f"sqlite:///{sqlite_archive}"))["report"] == 2


def _fill(path: Path) -> None:
    with path.open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A snapshot directory with no space left: a full 64 KiB tmpfs where we may mount, else a refusing write."""
    mount = tmp_path / "full"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                             capture_output=True, check=False).returncode == 0
    if mounted:
        with pytest.raises(OSError, match="No space left") as filling:
            _fill(mount / "filler")
        assert filling.value.errno == errno.ENOSPC
    else:
        def no_space(*_args: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("gzip.GzipFile.write", no_space)
    try:
        yield mount
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)


def test_full_snapshot_disk_stores_nothing(db_url: str, xxgk, full_disk: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(full_disk / "snapshots"))
    one_line_failure(xxgk("import", str(SEED_002)), "no space left for snapshots")
    with Archive.open(db_url) as archive:
        assert set(row_counts(archive).values()) == {0}
    assert not list(full_disk.rglob(".tmp-*"))
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(tmp_path / "roomy"))
    assert xxgk("import", str(SEED_002)).code == 0


def test_a_database_failure_mid_import_keeps_whole_files_only(db_url: str, xxgk, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    files = generated_reports(tmp_path / "gen", 5)
    real = store.ingest.refresh_findings
    calls = []

    def failing_third(*args: object) -> store.findings.Counts:
        calls.append(1)
        if len(calls) == 3:
            raise OperationalError("INSERT INTO finding …", {}, Exception("disk I/O error"))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store.ingest, "refresh_findings", failing_third)
    one_line_failure(xxgk("import", *map(str, files)), "0002.txt", "disk I/O error")
    with Archive.open(db_url) as archive:
        counts = row_counts(archive)
    assert (counts["report"], counts["report_version"], counts["document"], counts["publication_date"]) == (2, 2, 2, 0)

    monkeypatch.setattr(store.ingest, "refresh_findings", real)
    result = xxgk("import", *map(str, files), "--json")
    assert result.code == 0
    assert [r["change"] for r in json.loads(result.out)] == ["unchanged"] * 2 + ["new_report"] * 3


def test_a_lost_snapshot_is_reported_and_the_rest_reparsed(sqlite_archive: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{sqlite_archive}"
    [other] = generated_reports(tmp_path / "gen", 1)
    assert main(["import", str(other), "--db", url]) == 0
    lost = next((tmp_path / "snapshots").rglob("*.gz"))
    lost.unlink()
    capsys.readouterr()
    assert main(["reparse", "--all", "--json", "--db", url]) == 1
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 1  # the other report was re-read
    assert "不在" in captured.err
    assert "1 份报告未能重新读取" in captured.err
