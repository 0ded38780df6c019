"""A long image is cut into page-sized pieces where a cut loses nothing: a blank band, else a table's rule
(kept by both pieces), else the row with the least ink; each piece sits on a page with margins."""

from __future__ import annotations

import numpy as np
import pytest

from extract.long_image import MARGIN, PAGE, READABLE, needs_cutting, pieces

WIDTH = 500
PAGE_ROWS = round(PAGE * WIDTH)


def text_lines(height: int, *, gap_every: int = 0) -> np.ndarray:
    """Lines of 'text' (dark strokes 12 px high, 8 px apart) with a blank band of 60 px every `gap_every` px."""
    img = np.full((height, WIDTH), 255, np.uint8)
    for top in range(0, height, 20):
        if not gap_every or top % gap_every < gap_every - 60:
            img[top:top + 12, 40:460:3] = 0
    return img


def table(height: int, row: int = 45) -> np.ndarray:
    """A ruled table filling the image: vertical rules every 100 px, horizontal rules every `row` px."""
    img = np.full((height, WIDTH), 255, np.uint8)
    img[:, 0:WIDTH:100] = 0
    img[:, WIDTH - 1] = 0
    img[::row] = 0
    return img


def content(piece: np.ndarray) -> np.ndarray:
    """A piece without the page margins it was given."""
    inner = piece[MARGIN:, MARGIN:-MARGIN]
    inked = np.nonzero((inner < 128).any(axis=1))[0]
    return inner[: inked[-1] + 1] if inked.size else inner[:0]


def test_a_page_sized_image_is_not_cut() -> None:
    assert not needs_cutting(1654, 2339, 1.0)  # an A4 scan
    assert not needs_cutting(1654, 4678, 0.85)  # two A4 pages at 200 dpi: 1,400 px of width left
    assert needs_cutting(1654, 9356, 0.43)  # four: 700 px
    assert needs_cutting(1080, 12000, 0.33)  # a phone's screenshot of a long page
    assert not needs_cutting(3000, 4000, READABLE / 3000 - 0.01)  # wide, not long
    assert not needs_cutting(1000, 3112, 1.0)  # narrow and long, but read as it comes: nothing is shrunk


def test_text_is_cut_in_a_blank_band_and_nothing_is_lost() -> None:
    img = text_lines(4 * PAGE_ROWS, gap_every=400)
    cut = pieces(img, WIDTH)
    assert len(cut) >= 3
    assert all(p.shape[0] <= PAGE_ROWS + 2 * MARGIN for p in cut)
    assert all(p.shape[0] == cut[0].shape[0] for p in cut)  # each on a page of a page's height
    inked = sum(int((content(p) < 128).sum()) for p in cut)
    assert inked == int((img < 128).sum())  # every stroke in exactly one piece


def test_a_table_is_cut_on_a_rule_that_both_pieces_keep() -> None:
    img = table(3 * PAGE_ROWS)
    first, second, *_ = pieces(img, WIDTH)
    head, tail = content(first), content(second)
    assert (head[-1] < 128).mean() > 0.9  # the first piece ends on a rule…
    assert (tail[0] < 128).mean() > 0.9  # …with which the next begins
    assert tail.shape[0] > 0


def test_a_wide_long_image_is_brought_to_a_pages_width() -> None:
    img = text_lines(6 * 1000, gap_every=400)
    img = np.repeat(img, 2, axis=1)  # 1,000 px wide
    cut = pieces(img, 600)
    assert {content(p).shape[1] for p in cut} == {600}


@pytest.mark.parametrize("height", [1, PAGE_ROWS, 5 * PAGE_ROWS + 7])
def test_any_height_is_covered_once(height: int) -> None:
    img = text_lines(height)
    cut = pieces(img, WIDTH)
    assert sum(int((content(p) < 128).sum()) for p in cut) == int((img < 128).sum())
