"""Ruled tables: our `merge_rules` and `corner_cells` against pdfplumber's `merge_edges` and `intersections_to_cells`
(which they replace for speed) on random rulings, full and with rules broken or left out."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.table import edges_to_intersections, intersections_to_cells, merge_edges

from extract.geometry import corner_cells, edge, merge_rules

COORDS = st.lists(st.integers(0, 40).map(lambda v: v * 5.0), min_size=2, max_size=7, unique=True).map(sorted)


@st.composite
def rulings(draw: Any) -> list[dict[str, Any]]:
    """A table's grid of rules, some rules cut short or missing, some stray rules across it."""
    xs, ys = draw(COORDS), draw(COORDS)
    edges = [*_rules(draw, "v", xs, ys), *_rules(draw, "h", ys, xs)]
    for _ in range(draw(st.integers(0, 3))):
        a, b = sorted(draw(st.integers(0, 200)) * 1.0 for _ in range(2))
        c = draw(st.integers(0, 200)) * 1.0
        edges.append(edge("v", c, c, a, b) if draw(st.booleans()) else edge("h", a, b, c, c))
    return edges


def _rules(draw: Any, orientation: str, at: list[float], along: list[float]) -> list[dict[str, Any]]:
    """Most positions ruled end to end; a quarter of the rules cut short."""
    rules = []
    for position in at:
        if draw(st.integers(0, 5)):
            start, end = along[0], along[-1]
            if not draw(st.integers(0, 3)):
                start, end = sorted(draw(st.sampled_from(along)) for _ in range(2))
            rules.append(edge("v", position, position, start, end) if orientation == "v"
                         else edge("h", start, end, position, position))
    return rules


@settings(max_examples=300, deadline=None)
@given(rulings(), st.sampled_from([0.0, 1.0, 3.0]))
def test_the_same_cells_in_the_same_order_as_pdfplumber(edges: list[dict[str, Any]], reach: float) -> None:
    corners = edges_to_intersections(edges, reach, reach)
    assert corner_cells(corners) == intersections_to_cells(corners)


def test_a_full_grid_gives_every_cell() -> None:
    edges = [edge("v", x, x, 0, 20) for x in (0, 10, 20)] + [edge("h", 0, 20, y, y) for y in (0, 10, 20)]
    assert corner_cells(edges_to_intersections(edges, 1, 1)) == [
        (0, 0, 10, 10), (0, 10, 10, 20), (10, 0, 20, 10), (10, 10, 20, 20)]


ANY = st.integers(0, 2000).map(lambda v: v / 7.0)  # coordinates whose sums round: the arithmetic must match


@st.composite
def rough_rules(draw: Any) -> list[dict[str, Any]]:
    """Rules near each other across and along their lines, in any order, as a drawing gives them."""
    edges = []
    for _ in range(draw(st.integers(0, 30))):
        at, a, b = draw(ANY), draw(ANY), draw(ANY)
        a, b = min(a, b), max(a, b)
        edges.append(edge("v", at, at, a, b) if draw(st.booleans()) else edge("h", a, b, at, at))
    return edges


@settings(max_examples=300, deadline=None)
@given(rough_rules(), st.sampled_from([0.0, 1.0, 3.0, 4.0]), st.sampled_from([0.0, 3.0, 8.0]))
def test_merged_rules_are_pdfplumbers_to_the_last_bit(edges: list[dict[str, Any]], snap: float, join: float) -> None:
    assert merge_rules(edges, snap, join) == merge_edges(edges, snap, snap, join, join)
