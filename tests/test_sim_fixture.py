"""The `sim_world` fixture that other suites (the crawler's, the monitor's) load as a plugin."""

from __future__ import annotations

import pytest
from sim_walk import fetch

from sim.testing import sim_world_fixture  # noqa: F401 - provides the `sim_world` fixture


@pytest.mark.parametrize("sim_world", [{"portals": 2, "seed": 1}], indirect=True)
def test_the_sim_world_fixture(sim_world):
    assert len(sim_world.world.portals) == 2
    assert fetch(sim_world.truth["reports"][0]["url"]).status == 200
