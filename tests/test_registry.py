"""The registry: the documented example loads; every mistake is named with its file and line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.registry import RegistryError, load_registry

DOC = Path(__file__).resolve().parent.parent / "docs" / "registry.md"


def doc_example() -> str:
    match = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match
    return match.group(1)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_example_is_valid(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, doc_example()))
    portal = registry.portal("xiangxiang")
    assert portal.cms == "trs"
    assert [a.name for a in portal.agencies] == ["湘乡市人民政府", "湘乡市民政局"]
    _, agency = registry.agencies["湘乡市民政局"]
    assert (agency.level, agency.region, agency.parent) == ("department", "430381", "湘乡市人民政府")
    assert registry.supervisors[0].oversees("430381", "county")
    assert not registry.supervisors[0].oversees("110101", "county")


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    return info.value.problems


def test_bad_values_are_named_with_their_line(tmp_path: Path) -> None:
    text = doc_example().replace("level: department", "level: departmnt").replace(
        'region: "430381"          #', 'region: "43038"          #'
    )
    found = problems(tmp_path, text)
    level_line = next(i for i, line in enumerate(text.splitlines(), 1) if "departmnt" in line)
    assert f"{tmp_path / 'registry.yaml'}:{level_line}: portals[0].agencies[1].level" in "\n".join(found), found
    assert any("agencies[0].region: must be a 行政区划代码" in p for p in found)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("portals: [\n  {id: a, name: x, base_url: 'http://a/'},\n  {id: a, name: y, base_url: 'http://b/'}]\n",
         "portal id used more than once: a"),
        (("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    agencies:\n"
          "      - {name: 某某局, level: department, region: '4301', parent: 不存在的政府}\n"),
         "parent agency not in the registry: 不存在的政府"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    link_pattern: '([a'\n",
         ":5: portals[0].link_pattern: not a valid regular expression"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    fetcher: chrome\n",
         ":5: portals[0].fetcher: Input should be 'http' or 'browser'"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    colums: []\n",
         ":5: portals[0].colums: Extra inputs are not permitted"),
        ("portals:\n  - id: a\n   name: x\n", ":3: not valid YAML"),
        ("- just\n- a list\n", ":1: the registry must be a mapping"),
    ],
    ids=["duplicate-id", "unknown-parent", "bad-regex", "bad-fetcher", "typo-key", "yaml-syntax", "not-mapping"],
)
def test_mistakes(tmp_path: Path, text: str, needle: str) -> None:
    assert any(needle in p for p in problems(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no such file"):
        load_registry(tmp_path / "nope.yaml")


def test_cli_check(tmp_path: Path) -> None:
    good = write(tmp_path, doc_example())
    ok = subprocess.run([sys.executable, "-m", "xxgk.cli", "portals", "check", "--registry", str(good)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    assert "1 个门户" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - id: a\n    name: x\n    base_url: nope\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "xxgk.cli", "portals", "check", "--registry", str(bad)],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 2
    assert res.stderr.strip() == f"{bad}:4: portals[0].base_url: must be an http:// or https:// URL"
