"""DOCX → PDF with LibreOffice, one private profile per call (concurrent conversions would otherwise
share, and lock, the user's profile)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

TIMEOUT_S: Final = 180


class ConversionError(RuntimeError):
    """LibreOffice is missing or could not convert the file; the message says which."""


def office() -> str | None:
    """The LibreOffice binary: $XXGK_SOFFICE, else soffice or libreoffice on the PATH."""
    return os.environ.get("XXGK_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    binary = office()
    if binary is None:
        raise ConversionError("soffice")
    with tempfile.TemporaryDirectory(prefix="xxgk-pdf-") as tmp:
        work = Path(tmp)
        source = work / "report.docx"
        source.write_bytes(docx)
        command = [binary, "--headless", "--norestore", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConversionError(str(exc)) from exc
        target = work / "report.pdf"
        if done.returncode != 0 or not target.exists():
            lines = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise ConversionError(lines[-1] if lines else f"exit {done.returncode}")
        return target.read_bytes()
