"""`xxgk demo` crawls by itself, then asks the monitor for the alerts the archive implies, as e-mail files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alerts.demo import preview_alerts
from store.db import Archive
from store.models import CrawlRun, utcnow

REGISTRY = """\
supervisors:
  - {email: gkb@hunan.example.cn, name: 湖南省政务公开办, regions: ["43"]}
portals:
  - id: xiangxiang
    name: 湘乡市人民政府门户网站
    base_url: http://127.0.0.1:9/
    agencies:
      - {name: 湘乡市人民政府, level: county, region: "430381"}
      - {name: 湘乡市民政局, level: department, region: "430381", parent: 湘乡市人民政府}
"""


def test_the_demo_gets_the_missing_reports_of_the_portals_it_crawled(tmp_path: Path) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with Archive.open(db) as archive, archive.write() as session:  # what the demo's crawl leaves: a clean run
        session.add(CrawlRun(portals=["xiangxiang"], counts={"pages": 0}, errors={}, finished_at=utcnow()))
    written = preview_alerts(db, registry, dt.date(2026, 4, 20), tmp_path / "mail")
    assert written == 1
    [mail] = (tmp_path / "mail").iterdir()
    page = mail.read_text(encoding="utf-8")
    assert "【政务公开监测】2025年度：2个单位未发布（截至4月20日）" in page
    assert "湖南省政务公开办：" in page
