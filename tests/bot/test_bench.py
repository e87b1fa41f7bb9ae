"""The engine benchmark runs end to end on tiny populations and reports what it measured."""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.bench.engine import run_engine_bench
from bot.runtime.settings import Settings


def test_engine_bench_reports_service_and_floor_for_each_size(tmp_path: Path) -> None:
    report = run_engine_bench(Settings(), sizes=[50, 100], messages=30, directory=tmp_path)

    assert json.loads(json.dumps(report)) == report
    assert report["benchmark"] == "engine"
    assert report["messages"] == 30
    assert report["pragmas"]["journal_mode"] == "WAL"
    assert [result["candidates"] for result in report["results"]] == [50, 100]
    for result in report["results"]:
        for part in ("service", "floor"):
            figures = result[part]
            assert figures["messages"] == 30
            assert figures["messages_per_second"] > 0
            assert 0 < figures["p50_ms"] <= figures["p99_ms"]
        assert result["service_vs_floor_percent"] > 0
    assert isinstance(report["slowdown_percent"], float)
    assert set(report["targets"]) >= {"service_vs_floor_met", "slowdown_met"}
    # The databases stay in the directory given, with every measured message stored once.
    with closing(sqlite3.connect(tmp_path / "bench-engine-100.db")) as connection:
        counts = dict(
            connection.execute(
                "SELECT substr(external_id, 1, 1), count(*) FROM messages"
                " WHERE direction = 'in' GROUP BY 1"
            ).fetchall()
        )
    # s…/f…: measured service and floor messages (in rounds); w…: both warm-ups.
    assert counts == {"s": 30, "f": 30, "w": 100}
