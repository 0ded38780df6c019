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
    assert any("agencies[0].region: 应为6 位的行政区划代码" in p for p in found)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("portals: [\n  {id: a, name: x, base_url: 'http://a/'},\n  {id: a, name: y, base_url: 'http://b/'}]\n",
         ":3: portals[1].id: 门户编号 a 已被 portals[0] 使用"),
        (("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    agencies:\n"
          "      - {name: 某某局, level: department, region: '4301', parent: 不存在的政府}\n"),
         ":6: portals[0].agencies[0].parent: 上级单位 不存在的政府 不在登记表中"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    link_pattern: '([a'\n",
         ":5: portals[0].link_pattern: 不是有效的正则表达式"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    fetcher: chrome\n",
         ":5: portals[0].fetcher: 应为 'http'、'browser' 之一"),
        ("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    colums: []\n",
         ":5: portals[0].colums: 无法识别的键"),
        ("portals:\n  - id: a\n   name: x\n", ":3: 不是有效的 YAML"),
        ("- just\n- a list\n", ":1: 登记表应是一个映射"),
        ("portals:\n  - id: off\n    name: x\n    base_url: http://a/\n",
         ':2: portals[0].id: 应为文字：YAML 把不加引号的 off 读成了是/否值，请加上引号写成 "off"'),
        ("portals:\n  - id: a\n    name: 1.10\n    base_url: http://a/\n",
         ':3: portals[0].name: 应为文字：YAML 把不加引号的 1.10 读成了数字，请加上引号写成 "1.10"'),
        (("portals:\n  - id: a\n    name: x\n    base_url: http://a/\n    agencies:\n"
         "      - {name: 某某局, level: department, region: '430100', aliases: [2024-01-31]}\n"),
         ":6: portals[0].agencies[0].aliases[0]: 应为文字：YAML 把不加引号的 2024-01-31 读成了日期"),
        ("portals:\n  - id: a\n    name: [x]\n    base_url: http://a/\n", ":3: portals[0].name: 应为文字"),
    ],
    ids=["duplicate-id", "unknown-parent", "bad-regex", "bad-fetcher", "typo-key", "yaml-syntax", "not-mapping",
         "bare-boolean", "bare-number", "bare-date", "a-list-is-no-text"],
)
def test_mistakes(tmp_path: Path, text: str, needle: str) -> None:
    assert any(needle in p for p in problems(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="文件不存在"):
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
    assert res.stderr.strip() == f"{bad}:4: portals[0].base_url: 应为以 http:// 或 https:// 开头的网址"


# ---- what YAML would take silently or expand without end ---------------------------------------------

PORTAL = "portals:\n  - id: a\n    name: x\n    base_url: http://a.example.cn/\n"


def test_a_key_written_twice_is_refused_at_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, PORTAL + "    robots: true\n    robots: false\n")
    assert found == [f"{tmp_path / 'registry.yaml'}:6: 键 robots 重复（第 5 行已有）：后写的会悄悄覆盖先写的，请删去一个"]


def _laughs(levels: int) -> str:
    """A "billion laughs": each level ten aliases of the one before (10^levels nodes when expanded)."""
    lines = ['lol0: &lol0 ["lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_one_line_of_error(tmp_path: Path) -> None:
    found = problems(tmp_path, _laughs(9))
    assert found == [(f"{tmp_path / 'registry.yaml'}:1: 锚点与别名（&、*）展开后多出 100000 个以上的节点："
                      "请在登记表中直接写出各项")]


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, "supervisors: &s [*s]\n") == [
        f"{tmp_path / 'registry.yaml'}:1: 别名引用了包含它自己的节点"]


def test_a_few_anchors_are_welcome(tmp_path: Path) -> None:
    text = ("portals:\n  - id: a\n    name: x\n    base_url: http://a.example.cn/\n    agencies:\n"
            "      - {name: 某某局, level: department, region: '4301', supervisors: &s [a@b.cn]}\n"
            "      - {name: 某某厅, level: department, region: '4301', supervisors: *s}\n")
    registry = load_registry(write(tmp_path, text))
    assert [a.supervisors for a in registry.portals[0].agencies] == [["a@b.cn"], ["a@b.cn"]]


def test_a_duplicate_agency_is_named_at_its_own_line(tmp_path: Path) -> None:
    text = (PORTAL + "    agencies:\n      - {name: 某某局, level: department, region: '4301'}\n"
            "  - id: b\n    name: y\n    base_url: http://b.example.cn/\n    agencies:\n"
            "      - {name: 某某厅, level: department, region: '4301'}\n"
            "      - {name: 某某局, level: department, region: '4301'}\n")
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'registry.yaml'}:12: portals[1].agencies[1].name: 单位 某某局 已在 portals[0].agencies[0] 登记"]


# every form in which a URL's host can name an address the crawler refuses (config.hosts); loopback is the
# crawl's to allow (XXGK_ALLOW_LOOPBACK), the simulator's portals are there
REFUSED_HOSTS = {
    "169.254.169.254": "169.254.169.254 是云服务器元数据服务地址",
    "169.254.1.1": "169.254.1.1 是链路本地地址",
    "100.100.100.200": "100.100.100.200 是云服务器元数据服务地址",
    "10.1.2.3": "10.1.2.3 是内网（私有）地址",
    "192.168.0.1:8080": "192.168.0.1 是内网（私有）地址",
    "0.0.0.0": "0.0.0.0 是内网（私有）地址",
    "2852039166": "2852039166 是 IP 地址的非常规写法（应写作 169.254.169.254）",
    "0251.0376.0251.0376": "0251.0376.0251.0376 是 IP 地址的非常规写法（应写作 169.254.169.254）",
    "0xa9fea9fe": "0xa9fea9fe 是 IP 地址的非常规写法（应写作 169.254.169.254）",
    "127.1": "127.1 是 IP 地址的非常规写法（应写作 127.0.0.1）",
    "[::ffff:169.254.169.254]": "::ffff:169.254.169.254 是内含 IPv4 地址的 IPv6 地址（应直接写 169.254.169.254）",
    "[::ffff:127.0.0.1]": "::ffff:127.0.0.1 是内含 IPv4 地址的 IPv6 地址（应直接写 127.0.0.1）",
    "[fe80::1]": "fe80::1 是链路本地地址",
}


@pytest.mark.parametrize("host", sorted(REFUSED_HOSTS))
@pytest.mark.parametrize("field", ["base_url", "columns", "agency_columns", "hosts"])
def test_a_url_to_a_refused_address_is_named_at_its_line(tmp_path: Path, host: str, field: str) -> None:
    url = f"http://{host}/gk/"
    value = {"base_url": f"    base_url: {url}\n", "columns": f"    base_url: http://a.example.cn/\n    columns: ['{url}']\n",
             "hosts": f"    base_url: http://a.example.cn/\n    hosts: ['{host}']\n",
             "agency_columns": ("    base_url: http://a.example.cn/\n    agencies:\n"
                                f"      - {{name: 某某局, level: department, region: '4301', columns: ['{url}']}}\n")}
    found = problems(tmp_path, "portals:\n  - id: a\n    name: x\n" + value[field])
    line = 4 if field == "base_url" else 5 + (field == "agency_columns")
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'registry.yaml'}:{line}: portals[0].")
    assert found[0].endswith(f"{REFUSED_HOSTS[host]}：抓取时会被拒绝"), found


@pytest.mark.parametrize("host", ["127.0.1.5:8080", "[::1]", "xxgk.example.gov.cn", "cafe.de", "[2400:3200::1]"])
def test_loopback_and_names_and_public_addresses_are_left_to_the_crawl(tmp_path: Path, host: str) -> None:
    registry = load_registry(write(tmp_path, f"portals:\n  - id: a\n    name: x\n    base_url: http://{host}/\n"
                                              f"    hosts: ['cdn.example.cn', 'CDN2.example.cn:8443']\n"))
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    assert registry.portals[0].origins == {(name.strip("[]").lower(), int(port) if port else None),
                                           ("cdn.example.cn", None), ("cdn2.example.cn", 8443)}


@pytest.mark.parametrize(("second", "line"), [
    ("{name: 某某厅, aliases: [某某局], level: department, region: '4301'}", "7: portals[0].agencies[1].aliases"),
    ("{name: 某某厅, aliases: [民政], level: department, region: '4301'}", "7: portals[0].agencies[1].aliases"),
    ("{name: 民政, level: department, region: '4301'}", "7: portals[0].agencies[1].aliases"),
])
def test_a_name_of_two_agencies_of_a_portal_is_named_at_the_second(tmp_path: Path, second: str, line: str) -> None:
    text = (PORTAL + "    agencies:\n      - {name: 某某局, aliases: [民政], level: department, region: '4301'}\n"
            f"      - {second}\n")
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'registry.yaml'}:{line}: 名称或别名 ")
