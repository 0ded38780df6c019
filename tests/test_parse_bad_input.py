"""Bad input gets one clear line and exit 2, or a record with what is missing — never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from extract.errors import UnreadableInputError
from extract.parse import parse_bytes


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "：空文件"),
        (b"   \n\n  ", "：空文件"),
        (os.urandom(4096) + b"\x00", "：是二进制数据，不是文本或 HTML 格式的报告"),
        ("<html><body><h1>关于开展春季植树活动的通知</h1><p>各单位：请于3月12日前报名。</p></body></html>".encode(),
         "：不是政府信息公开工作年度报告：找不到标题、章节标题或报告表格"),
        (b"x" * (25 * 1024 * 1024), "：文本过大：26.2 MB（上限 21 MB）"),
    ],
    ids=["empty", "blank", "binary", "not-a-report", "50MB-class"],
)
def test_unreadable_input_is_one_line_exit_2(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "input.html"
    path.write_bytes(content)
    result = run_cli("parse", str(path), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(f"{path}{reason}")
    assert "Traceback" not in result.stderr


def test_missing_file_is_exit_2() -> None:
    result = run_cli("parse", "/nonexistent/report.txt")
    assert result.returncode == 2
    assert "文件或文件夹不存在" in result.stderr


def test_one_bad_file_does_not_lose_the_others(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"")
    good = FIXTURES / "seeds" / "003_333834406caf9852.txt"
    result = run_cli("parse", str(tmp_path / "bad.txt"), str(good), "--json")
    assert result.returncode == 2
    assert '"楠木坪镇"' in result.stdout


def test_truncated_table_gives_a_record_with_what_is_missing() -> None:
    text = (FIXTURES / "seeds" / "000_1c536831da56b3ac.txt").read_text(encoding="utf-8")
    cut = text[: text.index("5.属于三类内部事务信息")]
    record = parse_bytes(cut.encode(), name="cut.txt")
    assert record["requests"]["new"]["total"] == 4
    assert "requests.withheld_internal" in record["parse"]["missing_rows"]
    assert record["requests"]["carry_forward"]["total"] is None
    assert record["review_litigation"] == {}
    assert record["sections"]["problems"] is False


def test_huge_single_line_under_the_limit_finishes() -> None:
    line = ("本机关认真贯彻落实政府信息公开条例，全年主动公开信息若干条，" * 150_000).encode()
    with pytest.raises(UnreadableInputError) as info:
        parse_bytes(line, name="x.txt")
    assert info.value.key == "input.not_report"


def test_directory_without_reports_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("parse", str(tmp_path))
    assert result.returncode == 2
    assert "没有报告文件" in result.stderr
