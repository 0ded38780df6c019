"""Trend and benchmark charts as image bytes (PNG for documents, SVG for web pages): pure functions.

matplotlib draws off-screen (Agg) with a Chinese font from Debian (fonts-wqy-microhei); output is
byte-for-byte repeatable for the same numbers (no timestamps, fixed SVG ids), so a page can cache it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

CJK_FONTS: Final = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
_SIZE: Final = (6.4, 3.2)  # inches: a chart across a portrait page
_DPI: Final = 150
_COLOURS: Final = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")
Format = Literal["png", "svg"]


@dataclass(frozen=True, slots=True)
class Line:
    """One series: a label and a value per year (None: no value that year, the line breaks)."""

    label: str
    values: Sequence[float | None]
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded range per year (the peers' P25–P75)."""

    label: str
    low: Sequence[float | None]
    high: Sequence[float | None]


@cache
def cjk_font() -> str | None:
    """The family name of the first installed CJK font of `CJK_FONTS` (read from the file, without matplotlib)."""
    from PIL import ImageFont  # noqa: PLC0415

    for path in CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path)).getname()[0]
    return None


@cache
def _pyplot() -> Any:
    """pyplot on the Agg backend with a CJK font registered (done once per process)."""
    import matplotlib as mpl  # noqa: PLC0415 - heavy, and only charts need it

    mpl.use("Agg")
    from matplotlib import font_manager  # noqa: PLC0415
    from matplotlib import pyplot as plt  # noqa: PLC0415

    families = []
    for path in CJK_FONTS:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            families.append(font_manager.FontProperties(fname=str(path)).get_name())
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [*families, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "xxgk",
        "svg.fonttype": "path",
        "font.size": 9,
    })
    return plt


def _nan(values: Sequence[float | None], scale: float) -> list[float]:
    return [math.nan if v is None else v * scale for v in values]


def trend_chart(title: str, years: Sequence[int], lines: Sequence[Line], *, percent: bool = False,
                band: Band | None = None, unit: str = "", fmt: Format = "png") -> bytes:
    """Lines over years (a ratio in per cent with `percent`), with an optional shaded band."""
    plt = _pyplot()
    scale = 100.0 if percent else 1.0
    fig, ax = plt.subplots(figsize=_SIZE, dpi=_DPI)
    try:
        xs = list(years)
        if band is not None:
            ax.fill_between(xs, _nan(band.low, scale), _nan(band.high, scale), color="#bdd7ee", alpha=0.6,
                            label=band.label, linewidth=0)
        for k, line in enumerate(lines):
            ax.plot(xs, _nan(line.values, scale), marker="o", markersize=3.5, linewidth=1.6,
                    linestyle="--" if line.dashed else "-", color=_COLOURS[k % len(_COLOURS)], label=line.label)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(xs)
        ax.set_xticklabels([str(y) for y in xs])
        ax.set_ylabel("%" if percent else unit)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        if len(lines) > 1 or band is not None:
            ax.legend(fontsize=8, frameon=False, loc="best")
        fig.tight_layout()
        out = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(out, format=fmt, metadata=metadata)
        return out.getvalue()
    finally:
        plt.close(fig)


def trend_svg(title: str, years: Sequence[int], lines: Sequence[Line], *, percent: bool = False,
              band: Band | None = None, unit: str = "") -> str:
    """The same chart as SVG text, for a web page."""
    return trend_chart(title, years, lines, percent=percent, band=band, unit=unit, fmt="svg").decode("utf-8")
