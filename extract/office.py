"""DOC, WPS, RTF and ODT through antiword (fast) or LibreOffice (faithful), and LibreOffice as the
converter for XLS/ET/ODS.

antiword reads a Word 97 file in milliseconds, but draws tables as `|cell|` text and loses merged
cells, wrapped labels or whole tables; its text is kept only when the caller accepts the report
read from it as complete. Everything else goes through a headless LibreOffice conversion to DOCX
(or XLSX): a fresh profile directory per call so that concurrent workers never share one, its own
process group, and a timeout after which the whole group is killed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from extract.cells import is_value
from extract.document import Document
from extract.errors import UnreadableInputError
from extract.geometry import MARKER, join_text
from extract.limits import Limits
from extract.schema import LEGACY_UNITS
from extract.text_layout import text_document
from extract.zipped import repack

_VERSION = re.compile(r"LibreOffice (\d+\.\d+)")
_PIPE_ROW = re.compile(r"^\|.*\|$")


def word_document(data: bytes, medium: str, limits: Limits, *, accept: Callable[[Document], bool]) -> Document:
    if medium in {"doc", "wps"}:
        text = _antiword(data, limits)
        if text is not None:
            doc = text_document(unwrap_rows(text), extractor=f"{medium}:antiword")
            doc.medium = medium
            if accept(doc):
                return doc
    from extract.docx import docx_document  # noqa: PLC0415

    converted, tool = convert(data, medium, "docx", limits)
    doc = docx_document(converted, limits)
    doc.extractor = f"{medium}:{tool}→{doc.extractor}"  # doc:libreoffice-7.4→docx:python-docx-1.2.0
    return doc


def unwrap_rows(text: str) -> str:
    """antiword wraps a long cell over several table lines (`|行政规范性文|3|` / `|件| |`); a line
    with no number, unit or numbered label in it continues the row above, cell by cell."""
    out: list[str] = []
    row: list[str] | None = None
    for line in [*text.splitlines(), ""]:
        cells = line.strip()[1:-1].split("|") if _PIPE_ROW.match(line.strip()) else None
        if cells is not None and row is not None and len(cells) == len(row) and _continues(cells):
            row = [join_text((a, b)) for a, b in zip(row, cells, strict=True)]
            continue
        if row is not None:
            out.append("|" + "|".join(row) + "|")
        row = cells
        if cells is None:
            out.append(line)
    return "\n".join(out)


def _continues(cells: list[str]) -> bool:
    """No number, no numbered label, no unit past the label column (`行政规范性文` / `件` is a label)."""
    texts = [c.strip() for c in cells]
    return any(texts) and not any(
        t and (is_value(t) or MARKER.match(t) or (k > 0 and t in LEGACY_UNITS)) for k, t in enumerate(texts)
    )


def _antiword(data: bytes, limits: Limits) -> str | None:
    """antiword's UTF-8 text, or None when it is missing or cannot read the file."""
    exe = shutil.which("antiword")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="xxgk-aw-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [exe, "-w", "0", "-m", "UTF-8.txt", str(src)],
                capture_output=True, timeout=limits.convert_timeout / 4, check=False,
            )
        except subprocess.TimeoutExpired:
            return None
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return proc.stdout.decode("utf-8", errors="replace")


def _soffice(medium: str) -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise UnreadableInputError("office.missing", medium=medium)
    return exe


@functools.cache
def libreoffice_version(exe: str) -> str:
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [exe, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    m = _VERSION.search(out)
    return m.group(1) if m else "unknown"


def convert(data: bytes, medium: str, target: str, limits: Limits) -> tuple[bytes, str]:
    """Convert with LibreOffice headless; returns the converted bytes and `libreoffice-<version>`.
    An OpenDocument file is repacked first: LibreOffice gets no member that lies about its size."""
    exe = _soffice(medium)
    if medium in {"odt", "ods"}:
        data = repack(data, medium, limits)
    with tempfile.TemporaryDirectory(prefix="xxgk-lo-") as tmp:
        work = Path(tmp)
        src = work / f"in.{medium}"
        src.write_bytes(data)
        cmd = [
            exe, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(work / "out"), str(src),
        ]
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "HOME": tmp},
        )
        try:
            proc.wait(timeout=limits.convert_timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc.pid)
            proc.wait()
        if timed_out:
            raise UnreadableInputError("office.timeout", medium=medium, seconds=limits.convert_timeout)
        out = work / "out" / f"in.{target}"
        if not out.is_file() or out.stat().st_size == 0:
            raise UnreadableInputError("office.failed", medium=medium)
        if out.stat().st_size > limits.max_bytes:
            raise UnreadableInputError("office.too_large", medium=medium, limit=limits.max_bytes / 1e6)
        return out.read_bytes(), f"libreoffice-{libreoffice_version(exe)}"


def _kill_group(pgid: int) -> None:
    """soffice may leave helpers behind (oosplash → soffice.bin); they die with the group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
