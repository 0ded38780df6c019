"""The simulator as a module-scoped pytest fixture, `sim_world` (see sim.running for the rest).

`from sim.testing import sim_world_fixture` in a test module (or conftest) makes it available;
parametrize it indirectly with a dict of `running_sim` arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sim.running import DEFAULT_AS_OF, SimHandle, running_sim

__all__ = ["DEFAULT_AS_OF", "SimHandle", "running_sim", "sim_world_fixture"]


@pytest.fixture(scope="module", name="sim_world")
def sim_world_fixture(request: pytest.FixtureRequest) -> Iterator[SimHandle]:
    """A running simulator for a test module; `@pytest.mark.parametrize("sim_world", [{…}], indirect=True)`
    passes `running_sim` arguments."""
    params: dict[str, Any] = getattr(request, "param", {}) or {}
    with running_sim(**params) as handle:
        yield handle
