"""The soak itself (``make soak`` runs it for minutes): a short run whose checks must pass,
and the bookkeeping that judges answers and events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soak.cards import EventFollower
from soak.load import Tally
from soak.plan import EXPECTED_ERRORS
from soak.report import text, write_json
from soak.run import SoakConfig, run_soak


def test_a_short_soak_passes_its_checks(tmp_path: Path) -> None:
    report = run_soak(SoakConfig(seconds=15, warmup=3, data_dir=tmp_path))
    summary = text(report)
    assert report.passed, summary
    checks = {result.name: result for result in report.results}
    # The run did what a soak does: every route answered, cards moved, some requests
    # met an empty reader.
    assert all(route.ok > 0 for route in report.tally.routes.values()), summary
    assert report.moves["card_removed"] >= 2, summary
    assert report.events == report.moves
    assert checks["expected errors (cards moving)"].value > 0, summary

    path = tmp_path / "results.json"
    write_json(report, path)
    document = json.loads(path.read_text())
    assert document["passed"] is True
    assert set(document["routes"]) == set(EXPECTED_ERRORS)
    assert len(document["samples"]) >= 10


def test_tally_sorts_answers_by_route() -> None:
    tally = Tally(EXPECTED_ERRORS)
    tally.ok("GET /v1/cps")
    tally.error("GET /v1/cps", "card_removed", "")
    tally.error("GET /v1/readers", "card_absent", "detail")  # never expected there
    tally.error("POST /v1/dmp/access", "pin_required", "")
    tally.error("POST /v1/cps/pin/verify", "pin_invalid", "")  # only the right PIN is sent
    assert tally.totals() == (5, 1, 2, 2)
    assert [(e.route, e.outcome) for e in tally.examples] == [
        ("GET /v1/readers", "card_absent"),
        ("POST /v1/cps/pin/verify", "pin_invalid"),
    ]
    assert "GET /v1/cps" not in tally.never_ok()
    with pytest.raises(KeyError):
        tally.ok("GET /v1/not-in-the-plan")


@pytest.mark.parametrize(
    ("told", "wrong"),
    [
        (["card_removed", "card_inserted", "card_removed", "card_inserted"], 0),
        (["card_removed", "card_inserted", "card_removed"], 1),  # one missing
        (["card_removed", "card_inserted", "card_inserted", "card_removed"], 2),  # swapped
        (["card_removed", "card_inserted", "card_removed", "card_inserted", "card_removed"], 1),
    ],
)
def test_event_follower_compares_with_the_moves(told: list[str], wrong: int) -> None:
    follower = EventFollower("http://127.0.0.1:9", token="x" * 16)
    follower.sequences["reader A"] = told
    moves = {"reader A": ["card_removed", "card_inserted"] * 2, "reader B": []}
    assert follower.mismatches(moves) == wrong
    follower.sequences["reader B"] = ["card_removed"]  # a move that never happened
    assert follower.mismatches(moves) == wrong + 1
