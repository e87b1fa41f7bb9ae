"""The HTTP and scale benchmarks run end to end at tiny sizes and report sane figures.

Nothing here times anything against a target: the figures only have to exist and hang together.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from telegram.ext import PicklePersistence

from bot.bench.http import run_http_bench
from bot.bench.ptb import run_ptb_bench
from bot.bench.scale import run_scale_bench
from bot.runtime.cli import main


def _sane(figures: dict[str, float], messages: int) -> None:
    assert figures["messages"] == messages
    assert figures["messages_per_second"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]


@pytest.mark.slow
def test_http_bench_measures_the_product_beside_a_bare_endpoint() -> None:
    report = run_http_bench(messages=80, concurrency=4, phones=10)

    assert json.loads(json.dumps(report)) == report
    _sane(report["service"], 80)
    _sane(report["bare_starlette"], 80)
    assert report["service_vs_bare_percent"] > 0
    assert set(report["targets"]) >= {"vs_bare_met", "p99_met"}


def test_python_telegram_bot_keeps_every_user_and_the_answers_it_was_sent(tmp_path: Path) -> None:
    report = run_ptb_bench(tmp_path, users=60, updates=15)

    assert report["users"] == 60 and report["updates"] == 15
    assert report["updates_per_second"] > 0
    assert 0 < report["p50_ms"] <= report["p99_ms"]
    persistence: PicklePersistence[Any, Any, Any] = PicklePersistence(
        tmp_path / "ptb-persistence.pickle"
    )
    user_data = asyncio.run(persistence.get_user_data())
    assert len(user_data) == 60
    # Every update answers "Paris 75011" (stored people answered otherwise): flushed, it is there.
    assert any("Paris 75011" in data.values() for data in user_data.values())


def _bench_databases(server: URL) -> set[str]:
    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            query = text("SELECT datname FROM pg_database WHERE datname LIKE 'tremplin_bench_%'")
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_scale_bench_drives_two_processes_on_postgresql_and_draws_the_plot(
    postgresql_server: URL, tmp_path: Path
) -> None:
    before = _bench_databases(postgresql_server)
    plot = tmp_path / "scale.png"
    report = run_scale_bench(
        database_url=postgresql_server.render_as_string(hide_password=False),
        processes=2,
        candidates=40,
        concurrency=[2, 4],
        messages=40,
        ptb_users=30,
        ptb_updates=5,
        plot=plot,
    )

    assert json.loads(json.dumps(report)) == report
    assert report["processes"] == 2 and report["candidates"] == 40
    assert [level["concurrency"] for level in report["levels"]] == [2, 4]
    for level in report["levels"]:
        _sane(level, 40)
    assert report["best"] in report["levels"]
    assert report["python_telegram_bot"]["users"] == 30
    assert report["tremplin_vs_ptb"] > 0
    assert plot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert _bench_databases(postgresql_server) == before  # its scratch database is gone


def test_scale_bench_refuses_sqlite_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "scale", "--database-url", "sqlite://"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
