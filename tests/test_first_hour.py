"""The first hour of a new user: `xxgk demo`, then the README's commands exactly as printed.

The demo runs on a small world; the README's "Using it" block names only what any demo archive
holds (the sample reports it imports), so every line of it must work from the demo's project folder.
Every line the demo prints is for a person who reads Chinese: a line without a Chinese character is
a command to copy, a table rule or blank.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMAND = re.compile(r"^\s*(\S*xxgk|\S*python\S* -m xxgk\.cli) ")


def _xxgk(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("XXGK_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env=env)


def _readme_block(heading: str) -> list[str]:
    """The command lines of the first code block under `heading` in the README, comments cut off."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    block = section.split("```", 2)[1]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.startswith("xxgk ")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("first-hour")
    (work / "tests").symlink_to(ROOT / "tests")  # the demo folder sits beside tests/, as in a clone
    result = _xxgk(["demo", "--portals", "4", "--workdir", "demo"], cwd=work)
    assert result.returncode == 0, result.stderr
    return work / "demo", result.stdout


def test_the_demo_leaves_a_project_folder(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    assert {"xxgk.toml", "xxgk.sqlite3", "registry.yaml", "mail", "logs"} <= {p.name for p in folder.iterdir()}


def test_every_line_the_demo_prints_is_chinese_or_a_command(demo: tuple[Path, str]) -> None:
    _, out = demo
    foreign = [line for line in out.splitlines()
               if line.strip() and not CJK.search(line) and not COMMAND.match(line) and re.search(r"[A-Za-z]{3}", line)]
    assert foreign == []


def test_the_next_commands_it_prints_work_as_printed(demo: tuple[Path, str]) -> None:
    folder, out = demo
    commands = [line.strip() for line in out.splitlines() if COMMAND.match(line) and " serve " not in line]
    assert len(commands) >= 4
    for line in commands:
        args = shlex.split(line)
        args = args[3:] if args[1] == "-m" else args[1:]
        result = _xxgk(args, cwd=folder.parent)
        assert result.returncode == 0, (line, result.stderr)


@pytest.mark.parametrize("line", _readme_block("Using it"))
def test_the_readme_commands_work_from_the_demo_folder(demo: tuple[Path, str], line: str) -> None:
    folder, _ = demo
    result = _xxgk(shlex.split(line)[1:], cwd=folder)
    assert result.returncode == 0, (line, result.stderr)
    assert "Traceback" not in result.stderr
    assert CJK.search(result.stdout + result.stderr) or "--json" in line or line.endswith(".csv")


def test_reading_commands_outside_a_project_create_nothing(tmp_path: Path) -> None:
    result = _xxgk(["status", "--year", "2025"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "xxgk db upgrade" in result.stderr
    assert list(tmp_path.iterdir()) == []
