"""`xxgk alerts list | preview | send | ack | dismiss`: exit codes, one-line errors, the outbox as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from alerts_helpers import MailServer, free_port

from alerts import outbox
from alerts.rules import AgencyRef, make_fact
from config.settings import CHINA
from store.db import Archive
from xxgk.cli import main

REGISTRY = """\
supervisors:
  - {email: gkb@hunan.example.cn, name: 湖南省政务公开办, regions: ["43"], cadence: daily}
operators: [ops@example.cn]
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def xxgk(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    for name in ("XXGK_SMTP_HOST", "XXGK_SMTP_PORT", "XXGK_SMTP_TLS", "XXGK_AS_OF"):
        monkeypatch.delenv(name, raising=False)
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    now = dt.datetime(2026, 2, 2, 9, tzinfo=CHINA)
    with Archive.open(db) as archive, archive.write() as session:
        gov = AgencyRef("湘乡市人民政府", "county", "430381")
        facts = [
            make_fact("missing_report", {"agency": gov.name, "year": 2025, "deadline": "2026-01-31", "days": 2,
                                         "url": "http://xx.example.cn/nb/"}, agency=gov),
            make_fact("portal_unreachable", {"portal": "xiangxiang", "run": 1, "n": 3, "since": "2026-01-31",
                                             "kinds": ["timeout"], "url": "http://xx.example.cn/"}),
        ]
        outbox.queue(session, [(facts[0], {"gkb@hunan.example.cn": "daily"}),
                               (facts[1], {"ops@example.cn": "immediate"})], now)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([*args, "--db", db, "--registry", str(registry), "--as-of", "2026-02-02"])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def states(xxgk: Run) -> dict[str, str]:
    result = xxgk("alerts", "list", "--json")
    assert result.code == 0
    return {row["dedupe_key"]: row["state"] for row in json.loads(result.out)}


def test_list_shows_the_outbox(xxgk: Run) -> None:
    assert states(xxgk) == {"missing_report:湘乡市人民政府:2025": "queued",
                            "portal_unreachable:xiangxiang:run1": "queued"}
    table = xxgk("alerts", "list")
    assert "未按期发布年度报告" in table.out
    assert "待发送" in table.out


def test_send_without_smtp_leaves_everything_queued(xxgk: Run) -> None:
    result = xxgk("alerts", "send")
    assert (result.code, result.out.strip()) == (0, "未配置发信服务器（SMTP）：2 条提醒仍在待发送队列中")


def test_send_to_a_server_that_is_down_is_an_operational_failure_in_one_line(
        xxgk: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("XXGK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("XXGK_SMTP_PORT", str(port))
    result = xxgk("alerts", "send")
    assert result.code == 1
    assert result.err.startswith(f"xxgk: 无法连接发信服务器 127.0.0.1:{port}：")
    assert result.err.strip().endswith("2 条提醒仍在队列中")
    assert result.err.count("\n") == 1
    assert set(states(xxgk).values()) == {"queued"}


def test_send_delivers_and_nothing_is_sent_twice(xxgk: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    server = MailServer()
    server.start()
    try:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        first, again = xxgk("alerts", "send"), xxgk("alerts", "send")
    finally:
        server.stop()
    assert first.code == again.code == 0
    assert "已发送 2 封邮件，含 2 条提醒" in first.out
    assert "已发送 0 封邮件" in again.out
    assert sorted(r.rcpt[0] for r in server.sink.received) == ["gkb@hunan.example.cn", "ops@example.cn"]
    assert set(states(xxgk).values()) == {"sent"}


def test_preview_writes_each_pending_email_as_html(xxgk: Run, tmp_path: Path) -> None:
    result = xxgk("alerts", "preview", "--out", str(tmp_path / "preview"))
    assert result.code == 0
    paths = [Path(line) for line in result.out.split()]
    assert [p.name for p in paths] == ["001-gkb_hunan.example.cn-daily.html", "002-ops_example.cn-immediate.html"]
    page = paths[0].read_text(encoding="utf-8")
    assert "【政务公开监测】2025年度：1个单位未发布（截至2月2日）" in page
    assert "湖南省政务公开办：" in page


def test_ack_and_dismiss_stop_an_alert(xxgk: Run) -> None:
    result = xxgk("alerts", "ack", "1", "--by", "王科长", "--why", "已督促发布")
    assert result.code == 0
    assert "已确认" in result.out
    assert xxgk("alerts", "dismiss", "2").code == 0
    assert states(xxgk) == {"missing_report:湘乡市人民政府:2025": "acknowledged",
                            "portal_unreachable:xiangxiang:run1": "dismissed"}
    assert xxgk("alerts", "send").out.strip() == "未配置发信服务器（SMTP）：0 条提醒仍在待发送队列中"
    unknown = xxgk("alerts", "dismiss", "99")
    assert (unknown.code, unknown.err.strip()) == (2, "xxgk: 发件箱中没有编号为 #99 的提醒")


def test_send_and_preview_speak_json_too(xxgk: Run, tmp_path: Path) -> None:
    sent = xxgk("alerts", "send", "--json")
    assert (sent.code, json.loads(sent.out)["queued"], json.loads(sent.out)["smtp"]) == (0, 2, False)
    assert "未配置发信服务器" in sent.err
    shown = xxgk("alerts", "preview", "--json", "--out", str(tmp_path / "p"))
    assert len(json.loads(shown.out)) == 2
