"""`xxgk demo` on a world with every archetype and medium and the simulator's traps (page images while OCR is
off, short, former and misread names, bodies naming last year, blank blocks, the hybrid 表三, a government
office's own count): its archive and its e-mails checked against the simulator's truth.

A supervisor acts on what the e-mail says, so no alert may be false: no "未发布" for a report that is
online, no "逾期" for one published in time, no "数据有误" for one whose numbers agree.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sim.score import score_alerts, score_archive
from xxgk.cli import main

PORTALS = 8  # every archetype once, and a second TRS portal


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["demo", "--portals", str(PORTALS), "--workdir", str(work)]) == 0
    return work


def _truth(demo: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((demo / "truth.json").read_text(encoding="utf-8"))
    return truth


def test_every_report_is_stored_under_its_agency_and_year(demo: Path) -> None:
    with sqlite3.connect(demo / "xxgk.sqlite3") as conn:
        stored = {url: (agency, year) for url, agency, year in conn.execute(
            "SELECT r.url, a.name, r.year FROM report r JOIN agency a ON a.id = r.agency_id")}
        agencies = [name for (name,) in conn.execute("SELECT name FROM agency")]
    score = score_archive(_truth(demo), stored, agencies)
    assert score.perfect, score


def test_the_emails_hold_no_false_alert(demo: Path) -> None:
    truth = _truth(demo)
    with sqlite3.connect(demo / "xxgk.sqlite3") as conn:
        alerts = [(kind, json.loads(payload)["fact"]) for kind, payload, key in
                  conn.execute("SELECT kind, payload, dedupe_key FROM alert") if "#" not in key]
    score = score_alerts(truth, alerts)
    assert score.alerts.get("missing_report")
    assert score.alerts.get("inconsistent_report")
    assert score.false == {"missing": [], "late": [], "inconsistent": [], "unreadable": []}
    images = {(r["agency"], r["year"]) for r in truth["reports"] if r["medium"] == "image"}
    assert images
    said = {(f["agency"], f["year"]) for kind, f in alerts if kind in ("missing_report", "inconsistent_report")}
    assert not images & said  # found, not read: never missing, never inconsistent


def test_the_emails_read_like_a_colleague_wrote_them(demo: Path) -> None:
    mails = sorted((demo / "mail").glob("*.html"))
    assert mails
    supervisors = [m for m in mails if m.name.split("-", 1)[1].startswith("gkb")]
    assert supervisors
    for mail in mails:
        page = mail.read_text(encoding="utf-8")
        assert "xxgk alerts" not in page
        assert "年度：" in page or "往年：" in page or "网站" in page
    for mail in supervisors:
        page = mail.read_text(encoding="utf-8")
        assert "政务公开办：" in page  # the office's name from the registry, not its address
