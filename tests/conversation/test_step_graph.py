"""The committed step diagram (flows/steps/GRAPH.md) is the one the registry renders today."""

from __future__ import annotations

from scripts.step_graph import GRAPH_FILE, moves_in, render


def test_the_committed_step_graph_is_up_to_date():
    assert GRAPH_FILE.read_text(encoding="utf-8") == render(), (
        "flows/steps/GRAPH.md is stale: run `python -m scripts.step_graph`"
    )


def test_moves_are_read_from_literal_targets_and_constants():
    source = (
        'STEP_ID = "debts"\n'
        "def f(state, ctx):\n"
        '    move(state, STEP_ID, "list", ctx)\n'
        '    to_node("plan", "table")\n'
        '    registry.go_to(state, "budget", ctx)\n'
        '    move(state, STEP_ID, f"edit_{x}", ctx)\n'
        "    move(state, step, node, ctx)\n"
    )
    assert moves_in(source) == [
        ("debts", "list"),
        ("plan", "table"),
        ("budget", None),
        ("debts", "edit_*"),
    ]
