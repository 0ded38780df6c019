"""Attachment extraction throughput and peak memory, per medium (issue 7).

PDF pages/s beside `pdftotext` on the same files in the same run (their ratio is what carries
across machines), DOCX/DOC/XLSX files/s, OCR seconds per page, and the peak RSS of each path,
each measured in its own child process. The fixtures are the five gold records rendered as Word
exports by `sim.render` and converted by LibreOffice once, at the start.

Run: `.venv/bin/python bench/bench_attachments.py` (about a minute on an idle 2-core machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = sorted((ROOT / "tests" / "fixtures" / "gold").glob("*.json"))

# One child per path: after one warm-up parse (imports, OCR models) it parses every file of its
# medium for `seconds` (at least once), then reports its own peak RSS and its children's
# (LibreOffice, antiword).
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from extract.parse import parse_bytes
files = [Path(p) for p in json.loads(sys.argv[1])]
seconds, name = float(sys.argv[2]), sys.argv[3]
data = [(f.read_bytes(), f.name if name == "" else name) for f in files]
parse_bytes(*data[0][:1], name=data[0][1])  # warm up: imports, OCR models, caches
n, start = 0, time.perf_counter()
while True:
    for blob, fname in data:
        parse_bytes(blob, name=fname)
        n += 1
    if time.perf_counter() - start >= seconds:
        break
elapsed = time.perf_counter() - start
kib = lambda who: resource.getrusage(who).ru_maxrss
print(json.dumps({"files": n, "seconds": elapsed,
                  "rss_mb": kib(resource.RUSAGE_SELF) / 1024, "children_mb": kib(resource.RUSAGE_CHILDREN) / 1024}))
"""


def fixtures(work: Path) -> dict[str, list[Path]]:
    """Gold records → Word-style HTML → PDF, DOC, DOCX (LibreOffice); XLSX; a scanned page."""
    sys.path.insert(0, str(ROOT))
    from sim.render import LAYOUTS  # noqa: PLC0415 - after sys.path is set

    html = work / "html"
    html.mkdir()
    for gold in GOLD:
        record = json.loads(gold.read_text(encoding="utf-8"))
        (html / f"{gold.stem[:3]}.html").write_bytes(LAYOUTS["html_word"](record))
    sources = sorted(html.glob("*.html"))
    for target, sub, infilter in (("pdf:writer_pdf_Export", "pdf", "HTML (StarWriter)"),
                                  ("doc:MS Word 97", "doc", "HTML (StarWriter)"),
                                  ("docx:MS Word 2007 XML", "docx", "HTML (StarWriter)"),
                                  ("xlsx", "xlsx", "HTML (StarCalc)")):
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}",
                            f"--infilter={infilter}", "--convert-to", target, "--outdir", str(work / sub),
                            *map(str, sources)], capture_output=True, check=True, timeout=600)
    out = {sub: sorted((work / sub).iterdir()) for sub in ("pdf", "doc", "docx", "xlsx")}
    out["scan"] = [scan_page(out["pdf"][0], work)]
    return out


def scan_page(pdf: Path, work: Path) -> Path:
    """The first page as a 200-dpi greyscale PNG, as a scanner would give it (no added noise)."""
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(work / "scan")],
                   check=True, timeout=120)
    return next(work.glob("scan*.png"))


def child(files: list[Path], seconds: float, name: str = "") -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", CHILD, json.dumps([str(f) for f in files]), str(seconds), name],
                            capture_output=True, text=True, check=True, cwd=ROOT, timeout=900)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdftotext_rate(files: list[Path], total_pages: int, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for f in files:
            subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, check=True)
        n += 1
    return n * total_pages / (time.perf_counter() - start)


def row(label: str, rate: str, stats: dict[str, float]) -> None:
    print(f"{label:<24} {rate:>22}   peak RSS {stats['rss_mb']:6.0f} MB   children {stats['children_mb']:6.0f} MB")


def main() -> None:
    seconds = 3.0
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        media = fixtures(Path(tmp))
        total_pages = sum(pages(p) for p in media["pdf"])
        pdf = child(media["pdf"], seconds)
        pdf_rate = pdf["files"] / len(media["pdf"]) * total_pages / pdf["seconds"]
        poppler = pdftotext_rate(media["pdf"], total_pages, seconds)
        row("PDF (pdfium)", f"{pdf_rate:8.1f} pages/s", pdf)
        print(f"{'pdftotext -layout':<24} {poppler:8.1f} pages/s   ratio pdfium/pdftotext {pdf_rate / poppler:.3f}")
        for label, key, name in (("DOCX (python-docx)", "docx", ""), ("XLSX (openpyxl)", "xlsx", "")):
            stats = child(media[key], seconds, name)
            row(label, f"{stats['files'] / stats['seconds']:8.1f} files/s", stats)
        legacy = [p for p in media["doc"] if p.stem == "004"]
        stats = child(legacy, seconds)
        row("DOC (antiword)", f"{stats['files'] / stats['seconds']:8.1f} files/s", stats)
        template = [p for p in media["doc"] if p.stem != "004"]
        stats = child(template, 0.0)
        row("DOC (LibreOffice→DOCX)", f"{stats['files'] / stats['seconds']:8.1f} files/s", stats)
        stats = child(media["scan"], 0.0)
        row("image (RapidOCR)", f"{stats['seconds'] / stats['files']:8.1f} s/page", stats)


if __name__ == "__main__":
    main()
