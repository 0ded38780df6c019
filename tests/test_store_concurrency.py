"""Two processes import the same 200 reports at once into one PostgreSQL archive: each report exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import generated_reports, pg_schema, row_counts

from store.db import Archive

pytest_plugins = ["store_fixtures"]

REPORTS = 200


def test_two_importers_at_once(pg_server: str | None, tmp_path: Path) -> None:
    if pg_server is None:
        pytest.skip("no PostgreSQL: 127.0.0.1:5432 does not answer and no throwaway cluster could be started")
    files = generated_reports(tmp_path / "gen", REPORTS, seed=11)
    env = {**os.environ, "XXGK_SNAPSHOTS": str(tmp_path / "snapshots")}
    with pg_schema(pg_server) as url:  # empty: both processes also race to create the schema
        command = [sys.executable, "-m", "xxgk.cli", "import", str(tmp_path / "gen"), "--json", "--db", url]
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [proc.communicate(timeout=300) for proc in procs]
        for proc, (_, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, err
            assert err == ""
        outcomes = [item for out, _ in results for item in json.loads(out)]
        assert len(outcomes) == 2 * REPORTS
        assert sum(o["change"] == "new_report" for o in outcomes) == REPORTS
        assert {o["change"] for o in outcomes} == {"new_report", "unchanged"}
        assert len({o["report_id"] for o in outcomes}) == REPORTS

        with Archive.open(url) as archive:
            counts = row_counts(archive)
        assert counts["report"] == counts["report_version"] == counts["document"] == REPORTS
        assert len(list((tmp_path / "snapshots").rglob("*.gz"))) == len(files)
