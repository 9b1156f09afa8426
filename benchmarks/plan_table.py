"""The plan benchmarks (benchmarks/plan.py) as rows of the results table.

Used by `python -m benchmarks` while benchmarks/plan.py has no `figures()` of its own.
"""

from __future__ import annotations

from decimal import Decimal

from benchmarks import plan
from benchmarks.figures import Figure
from bot.attachments import produce
from bot.locale import Locales
from bot.render import render
from bot.settings import PROJECT_ROOT
from flows import machine
from flows.core import Command
from flows.plan import compare, plan_debts
from flows.state import UserState

MONTHLY = Decimal("1900")  # what benchmarks/plan.py pays a month: close to 120 months


def figures(full: bool = False) -> list[Figure]:
    repeat = 20 if full else 5
    debts, _ = plan_debts(plan.DEBTS, plan.CTX.facts, plan.CTX.now.date())
    state = UserState(started=True, debts=plan.DEBTS, budget=plan.BUDGET)
    outcome = machine.handle(state, Command("plan"), plan.CTX)
    catalog = Locales.load(PROJECT_ROOT / "locales").get("zh-CN")
    chart = next(render(catalog, r) for r in outcome.replies if r.attachment)
    assert chart.attachment is not None
    attachment = chart.attachment
    produce(attachment)  # the first chart loads the fonts
    rows = (
        ("compare the three orders", lambda: compare(debts, MONTHLY)),
        ("a /plan turn (flows)", lambda: machine.handle(state, Command("plan"), plan.CTX)),
        ("the plan chart (PNG)", lambda: produce(attachment)),
    )
    figures_ = []
    for name, action in rows:
        median, worst = plan.timed(action, repeat)
        figures_.append(
            Figure(
                "plan",
                f"10 debts over ~120 months: {name}",
                round(median, 1),
                "ms",
                note=f"median of {repeat}; worst {worst:.1f} ms",
            )
        )
    return figures_
