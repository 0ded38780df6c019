"""Time travel, the control endpoint, loopback-only binding and the `xxgk sim serve` process."""

from __future__ import annotations

import ipaddress
import signal
import subprocess
import sys
from datetime import date, timedelta

import pytest
import yaml
from sim_walk import WALKERS, fetch

from extract.parse import parse_bytes
from sim.server import BackgroundServer, Simulator
from sim.testing import running_sim
from sim.world import generate

AS_OF = date(2026, 6, 1)


@pytest.fixture(scope="module")
def sim():
    with running_sim(portals=7, seed=5, as_of=AS_OF) as handle:
        yield handle


def column_of(sim, portal):
    registry = yaml.safe_load(sim.registry_path.read_text(encoding="utf-8"))
    return next(p["columns"][0] for p in registry["portals"] if p["id"] == portal.id)


def test_a_report_exists_from_its_publication_date(sim):
    portal = next(p for p in sim.world.portals if p.archetype == "jpaas")
    report = max((r for r in portal.reports if r.published.date() <= AS_OF), key=lambda r: r.published)
    url = next(r["url"] for r in sim.truth["reports"] if r["agency"] == report.agency.name and r["year"] == report.year)
    day = report.published.date()
    try:
        sim.set_as_of(day - timedelta(days=1))
        assert fetch(url).status == 404
        assert url not in WALKERS["jpaas"](column_of(sim, portal)).articles
        assert url not in {r["url"] for r in sim.current_truth()["reports"]}
        sim.set_as_of(day)
        assert fetch(url).status == 200
        assert url in WALKERS["jpaas"](column_of(sim, portal)).articles
        assert url in {r["url"] for r in sim.current_truth()["reports"]}
    finally:
        sim.set_as_of(AS_OF)


def test_a_revised_report_changes_on_its_revision_date():
    world = generate(seed=5, portals=21)
    portal, report = next(
        (p, r) for p in world.portals for r in p.reports if r.revised and r.medium in ("html", "text")
    )
    with running_sim(portals=21, seed=5, as_of=report.revised.date() - timedelta(days=1)) as sim:
        before = next(r for r in sim.truth["reports"] if r["agency"] == report.agency.name and r["year"] == report.year)
        assert before["revised"] is None
        assert "changed_after_publication" not in before["defects"]
        old = parse_bytes(fetch(before["url"]).body, name="a.html")
        sim.set_as_of(report.revised.date())
        after = next(r for r in sim.current_truth()["reports"] if r["url"] == before["url"])
        assert after["revised"] == report.revised.date().isoformat()
        assert "changed_after_publication" in after["defects"]
        new = parse_bytes(fetch(before["url"]).body, name="a.html")
        assert new["requests"] != old["requests"] or new.get("legacy_stats") != old.get("legacy_stats")
        assert new["requests"] == after["record"].get("requests", {})
        assert old["requests"] == before["record"].get("requests", {})
        assert portal.address in before["url"]


def test_control_endpoint(sim):
    assert sim.as_of() == AS_OF
    bad = fetch(f"{sim.control}/as_of", data=b"yesterday")
    assert bad.status == 400
    stats = fetch(f"{sim.control}/stats")
    assert stats.status == 200
    assert b'"requests"' in stats.body
    assert fetch(f"{sim.control}/registry").body.startswith(b"# Written by")
    assert fetch(f"{sim.control}/nothing").status == 404


def test_binds_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        Simulator(generate(portals=1), as_of=AS_OF, host="0.0.0.0")
    sim = Simulator(generate(portals=9), as_of=AS_OF)
    with BackgroundServer(sim):
        addresses = [s.getsockname()[0] for server in sim.servers for s in server.sockets]
        assert len(addresses) == 10
        assert all(ipaddress.ip_address(a).is_loopback for a in addresses)
        assert len(set(addresses)) == 10  # one address per portal, plus the control endpoint


def test_cli_serves_until_sigterm(tmp_path):
    registry, truth = tmp_path / "r.yaml", tmp_path / "t.json"
    cmd = [
        sys.executable,
        "-m",
        "xxgk.cli",
        "sim",
        "serve",
        "--portals",
        "2",
        "--port",
        "0",
        "--as-of",
        "2026-06-01",
        "--registry-out",
        str(registry),
        "--truth-out",
        str(truth),
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        assert registry.exists()
        assert truth.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        process.kill()


def test_cli_refuses_a_public_host(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "xxgk.cli",
        "sim",
        "serve",
        "--host",
        "0.0.0.0",
        "--registry-out",
        str(tmp_path / "r"),
        "--truth-out",
        str(tmp_path / "t"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "loopback" in done.stderr
