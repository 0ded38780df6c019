"""A report published as one long image (长图: a phone screenshot of the whole page, a Word document
exported as one picture) cut into page-sized pieces before OCR.

Read whole, such an image is shrunk until its longest side fits what OCR works on, and a 1,654 × 9,000
px report comes out at a fifth of its width, its digits too small to read; even unshrunk, the page-sized
text detector reads it worse than its pages. So the image is cut into pieces of about an A4 page's
proportions, each read as a page of its own (a table cut between two pieces continues on the next, as
over a PDF page break). A cut goes where it loses nothing: in a blank band between lines or blocks;
failing that, on a table's horizontal rule, which both pieces keep (so each has its rows closed); failing
that, at the row with the least ink.
"""

from __future__ import annotations

from typing import Any, Final

PAGE: Final = 1.414  # an A4 page's height over its width
A4_INCHES: Final = 8.27  # an A4 page's width
TALL: Final = 1.6  # an image taller than this times its width may be cut; an A4 scan (1.414) is a page already
REACH: Final = 0.25  # a cut is looked for in the last quarter of a page-sized piece
RULE: Final = 0.5  # a pixel row inked over half the width is a horizontal rule
READABLE: Final = 1200  # px of width below which a page's digits are too small for OCR
DARK: Final = 160  # grey level below which a pixel is ink
MARGIN: Final = 64  # px of white around each piece
SPECKS: Final = 0.002  # of the width: a row with no more ink than this is blank (a scan's noise)


def needs_cutting(width: int, height: int, factor: float) -> bool:
    """Whether an image is a long one that, shrunk by `factor` to what OCR works on, would be too narrow to
    read (a report of two A4 pages at 200 or 300 dpi is not: it keeps 1,400 px of width; an image that is
    not shrunk at all is read whole, as it comes)."""
    return height > TALL * width and factor < 1 and width * factor < READABLE


def pieces(gray: Any, page_width: int) -> list[Any]:
    """The image as page-sized pieces, top to bottom, each at most `page_width` px wide (an A4 page's width
    at the resolution OCR reads at: a phone's 1,080 px stay, a 300-dpi export is brought down to it)."""
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    h, w = gray.shape[:2]
    ink = np.count_nonzero(gray < DARK, axis=1)
    page = max(1, round(PAGE * w))
    cuts = [0]
    while h - cuts[-1] > TALL * w:
        end, resume = _cut(ink, cuts[-1] + page - round(REACH * page), cuts[-1] + page, w)
        cuts += [end, resume]
    cuts.append(h)
    k = min(1.0, page_width / w)
    out = []
    for top, bottom in zip(cuts[::2], cuts[1::2], strict=True):
        piece = gray[top:bottom]
        if k < 1:
            size = (max(1, round(w * k)), max(1, round((bottom - top) * k)))
            piece = cv2.resize(piece, size, interpolation=cv2.INTER_AREA)
        # a page of its own: with margins, as the detector was trained on (text at the edge is read worse),
        # and a page's height, from which the table reader sizes its windows for ruling lines
        below = MARGIN + max(0, round(page * k) - piece.shape[0])
        out.append(np.pad(piece, ((MARGIN, below), (MARGIN, MARGIN)), constant_values=255))
    return out


def _cut(ink: Any, lo: int, hi: int, width: int) -> tuple[int, int]:
    """Where the piece ending in [lo, hi) ends, and where the next one starts."""
    import numpy as np  # noqa: PLC0415

    window = ink[lo:hi]
    blank = window <= SPECKS * width
    if blank.any():  # the middle of the longest blank band
        best, run, best_end = 0, 0, 0
        for y, empty in enumerate(blank):
            run = run + 1 if empty else 0
            if run > best:
                best, best_end = run, y + 1
        middle = lo + best_end - (best + 1) // 2
        return middle, middle
    rules = np.nonzero(window >= RULE * width)[0]
    if rules.size:  # the lowest rule, kept by both pieces (its pixel rows together)
        bottom = int(rules[-1])
        top = bottom
        while top > 0 and window[top - 1] >= RULE * width:
            top -= 1
        return lo + bottom + 1, lo + top
    least = lo + int(np.argmin(window))
    return least, least
