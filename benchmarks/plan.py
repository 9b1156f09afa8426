"""How long a plan takes: 10 debts over (nearly) 120 months, in each order, all three, a /plan
turn through the machine, and the chart. Not a test: `.venv/bin/python -m benchmarks.plan`."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from benchmarks.figures import Figure
from bot.attachments import produce
from bot.facts import load_facts
from bot.locale import Locales
from bot.render import render
from bot.settings import PROJECT_ROOT, Settings
from flows.conversation.core import Command
from flows.conversation.state import UserState
from flows.dispatcher import machine
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.ledger import Debt, InstallmentTerms, RateQuote
from flows.domain.money import Period
from flows.domain.plan import Order, Plan, compare, plan_debts, simulate

DEBTS = tuple(
    Debt(
        id=i,
        platform=f"platform {i}",
        remaining_principal=Decimal(8000 + 1000 * i),
        rate=RateQuote(per_period=Decimal("0.004") + Decimal("0.001") * i, period=Period.MONTH),
        installments=InstallmentTerms(payment=Decimal(100), periods=24) if i % 3 == 0 else None,
        days_overdue=10 if i % 2 == 0 else None,
    )
    for i in range(1, 11)
)
# 3,400 a month minus the 1,500 living floor: 1,900 for the debts, ending close to 120 months.
BUDGET = Budget(income=Decimal("3400"))
CTX = Context(
    now=datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    facts=load_facts(PROJECT_ROOT / "data"),
    settings=Settings(_env_file=None),
)


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time of `action`, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def report(name: str, action: Callable[[], object], repeat: int) -> None:
    median, worst = timed(action, repeat)
    print(f"{name:<28} median {median:7.1f} ms   worst {worst:7.1f} ms")


MONTHLY = Decimal("1900")  # what benchmarks/plan.py pays a month: close to 120 months


def figures(full: bool = False) -> list[Figure]:
    repeat = 20 if full else 5
    debts, _ = plan_debts(DEBTS, CTX.facts, CTX.now.date())
    state = UserState(started=True, debts=DEBTS, budget=BUDGET)
    outcome = machine.handle(state, Command("plan"), CTX)
    catalog = Locales.load(PROJECT_ROOT / "locales").get("zh-CN")
    chart = next(render(catalog, r) for r in outcome.replies if r.attachment)
    assert chart.attachment is not None
    attachment = chart.attachment
    produce(attachment)  # the first chart loads the fonts
    rows = (
        ("compare the three orders", lambda: compare(debts, MONTHLY)),
        ("a /plan turn (flows)", lambda: machine.handle(state, Command("plan"), CTX)),
        ("the plan chart (PNG)", lambda: produce(attachment)),
    )
    figures_ = []
    for name, action in rows:
        median, worst = timed(action, repeat)
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


def main() -> None:
    debts, _ = plan_debts(DEBTS, CTX.facts, CTX.now.date())
    monthly = Decimal("1900")
    plan = simulate(debts, monthly, Order.GUIDE)
    assert isinstance(plan, Plan), plan
    print(f"10 debts, {monthly} yuan a month: paid off in {plan.payoff_month} months")
    for order in Order:
        report(f"simulate {order.value}", lambda order=order: simulate(debts, monthly, order), 20)
    report("compare (3 orders)", lambda: compare(debts, monthly), 10)

    state = UserState(started=True, debts=DEBTS, budget=BUDGET)
    report("/plan turn (machine)", lambda: machine.handle(state, Command("plan"), CTX), 10)
    outcome = machine.handle(state, Command("plan"), CTX)
    catalog = Locales.load(PROJECT_ROOT / "locales").get("zh-CN")
    chart = next(render(catalog, r) for r in outcome.replies if r.attachment)
    assert chart.attachment is not None
    produce(chart.attachment)  # the first chart loads the fonts
    report("chart render (PNG)", lambda: produce(chart.attachment), 10)


if __name__ == "__main__":
    main()
