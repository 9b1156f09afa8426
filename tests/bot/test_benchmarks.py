"""The benchmark runner's plumbing (no benchmark is run here: speed is not a test)."""

from __future__ import annotations

import argparse
import sys
import types
from datetime import UTC, datetime

import pytest

from benchmarks import __main__ as runner
from benchmarks import conversation
from benchmarks.conversation import _package
from benchmarks.core import Prompt
from benchmarks.figures import Figure, at_least, at_most, coerce
from benchmarks.storage import realistic_state
from bot.render import RenderedReply
from bot.settings import PROJECT_ROOT
from flows.conversation.state import UserState

ARGUMENTS = argparse.Namespace(full=False, users=200, seconds=None)


def test_a_figure_from_another_module_may_be_a_plain_dict():
    row = coerce(
        {
            "benchmark": "reminders",
            "name": "scan",
            "value": 12.5,
            "unit": "ms",
            "target": "< 50",
            "passed": True,
            "limits": ["index scan"],
            "extra": 1,
        }
    )
    assert row == Figure("reminders", "scan", 12.5, "ms", "< 50", True, ("index scan",))
    assert row.verdict == "pass"


def test_targets_read_as_people_write_them():
    assert at_least(1_200, 1_000) == ("≥ 1,000", True)
    assert at_most(151, 150) == ("< 150", False)
    assert Figure("x", "y", 1_234.4, "ms").shown == "1,234 ms"
    assert Figure("x", "y", 75.44, "ms").shown == "75.4 ms"
    assert Figure("x", "y", None).verdict == "not measured"


def test_a_benchmark_not_written_yet_is_shown_as_not_available(monkeypatch):
    monkeypatch.setattr(runner, "OPTIONAL", {"not_written"})
    [row] = runner._run("not_written", ARGUMENTS)
    assert row.name == "not available" and row.verdict == "not measured"


def test_a_benchmark_that_fails_becomes_a_row_saying_so(monkeypatch):
    module = types.ModuleType("benchmarks.broken")

    def figures(full: bool) -> list[Figure]:
        raise OSError("disk full")

    module.figures = figures  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "benchmarks.broken", module)
    [row] = runner._run("broken", ARGUMENTS)
    assert row.name == "failed" and "disk full" in row.note


def test_the_results_file_names_the_machine_the_table_and_the_limits():
    rows = [Figure("storage", "writes/s", 4_000, "writes/s", "≥ 1,000", True, ("SQLite 60 µs",))]
    text = runner.results_markdown(
        rows, datetime(2026, 1, 2, 3, 4, tzinfo=UTC), (1.0, 1.0, 1.0), (2.0, 2.0, 2.0), ARGUMENTS
    )
    assert "2026-01-02 03:04 UTC" in text
    assert "CPU:" in text and "RAM:" in text and "python-telegram-bot" in text
    assert "| storage | writes/s | 4,000 writes/s | ≥ 1,000 | pass |" in text
    assert "- SQLite 60 µs" in text


def test_the_printed_table_lines_up_chinese_text():
    printed = runner.table([Figure("对话", "ab", 1.0), Figure("x", "长名字", 2.0)])
    widths = {runner._width(line) for line in printed.splitlines()}
    assert len(widths) == 1


@pytest.mark.parametrize(
    ("filename", "package"),
    [
        ("/venv/lib/python3.11/site-packages/httpcore/_async/connection_pool.py", "httpcore"),
        (str(PROJECT_ROOT / "flows" / "machine.py"), "flows"),
        ("/usr/lib/python3.11/asyncio/base_events.py", "asyncio"),
        ("~", "C built-ins"),
    ],
)
def test_profile_costs_are_grouped_by_package(filename: str, package: str):
    assert _package(filename) == package


def test_the_benchmark_state_is_a_valid_stored_state():
    state = realistic_state(7)
    assert UserState.model_validate_json(state.model_dump_json()) == state
    assert len(state.debts) == 3


def test_the_core_walk_reads_a_prompt_sent_as_a_captioned_chart():
    chart = RenderedReply(parts=(), keyboard=((("利率高先还", "4|rate"),),), caption="余额变化图")
    prompt = Prompt.of(chart)
    assert prompt.text == "余额变化图"
    assert prompt.buttons == [("利率高先还", "4|rate")]


def test_a_tiny_run_measures_our_bot_beside_the_peer_closed_and_open_loop():
    """The harness end to end on a tiny load (speed is not asserted: benchmarks/ measures it)."""
    rows = conversation.figures(
        users=3, seconds=3, warmup=1, repetitions=1, rates=(20,), context=False
    )
    by_name = {row.name: row for row in rows}
    ratio = by_name["CPU per update, ours / peer (closed loop)"]
    assert ratio.value is not None and ratio.value > 0
    assert by_name["ours: updates/s (closed loop)"].value
    assert by_name["peer: updates/s (closed loop)"].value
    [table] = conversation.sections()
    assert "| 20 |" in table and "peer p99" in table
