"""Write the example pages of docs/ (what a supervisor receives): a simulated region stored in a scratch
archive, its monitoring report and one county's profile as PDF by LibreOffice, pages rendered by pdftoppm.

Run: `.venv/bin/python tests/make_report_examples.py [--out docs]` (a minute; needs LibreOffice and poppler).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analytics_world import AS_OF, REGION, YEAR, region_world, store_world

from analytics.agency import agency_document, agency_facts
from analytics.region import region_document, region_facts
from analytics.render import render
from analytics.values import Monitoring
from store.db import Archive

DPI = 70
# (file, which document, a phrase of the page to show)
PAGES = (
    ("report-region-1.png", "region", "一、总体情况"),
    ("report-region-2.png", "region", "（一）县级机关"),
    ("report-region-3.png", "region", "四、近五年趋势"),
    ("report-region-annex.png", "region", "附表1"),
    ("report-agency-1.png", "agency", "一、发布情况"),
    ("report-agency-2.png", "agency", "四、检查发现"),
)


def _page_of(pdf: Path, phrase: str) -> int:
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    for page in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if phrase in "".join(text.split()):
            return page
    raise LookupError(f"{phrase!r} is on no page of {pdf}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-examples-") as tmp:
        work = Path(tmp)
        os.environ["XXGK_SNAPSHOTS"] = str(work / "snapshots")
        with Archive.open(f"sqlite:///{work / 'archive.sqlite3'}") as archive:
            truth = store_world(archive, region_world(seed=1, portals=28, region=REGION), AS_OF)
            county = next(a for a in truth.agencies if a.level == "county")
            with archive.read() as session:
                documents = {
                    "region": region_document(region_facts(session, REGION, YEAR, Monitoring(AS_OF))),
                    "agency": agency_document(agency_facts(session, county.name, YEAR, Monitoring(AS_OF))),
                }
        pdfs = {}
        for kind, document in documents.items():
            pdfs[kind] = work / f"{kind}.pdf"
            pdfs[kind].write_bytes(render(document, "pdf"))
        for name, kind, phrase in PAGES:
            page = _page_of(pdfs[kind], phrase)
            stem = work / name.removesuffix(".png")
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdfs[kind]), str(stem)], check=True)
            (args.out / name).write_bytes(stem.with_suffix(".png").read_bytes())
            print(f"wrote {args.out / name} (page {page} of the {kind} report)")


if __name__ == "__main__":
    main()
