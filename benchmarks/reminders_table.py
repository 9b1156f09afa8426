"""The reminder benchmarks (benchmarks/reminders.py) as rows of the results table.

Used by `python -m benchmarks` while benchmarks/reminders.py has no `figures()` of its own.
"""

from __future__ import annotations

import asyncio

from benchmarks import reminders
from benchmarks.figures import Figure

SELECTION_TARGET_MS = 50
DELIVERY_TARGET_RATIO = 1.05


def figures(full: bool = False) -> list[Figure]:
    debts = 1_000_000
    selection = asyncio.run(reminders.selection(debts, repeats=50 if full else 20))
    delivery = asyncio.run(reminders.delivery(10_000 if full else 300))
    busiest = selection["busiest_minute_ms"]
    idle = selection["idle_minute_ms"]
    assert isinstance(busiest, dict) and isinstance(idle, dict)
    ratio = float(delivery["ratio_to_floor"])  # type: ignore[arg-type]
    return [
        Figure(
            "reminders",
            f"due-reminder selection over {debts:,} debts, busiest minute (p50)",
            busiest["p50"],
            "ms",
            f"< {SELECTION_TARGET_MS}",
            busiest["p50"] < SELECTION_TARGET_MS,
            limits=(
                f"one batch of {selection['batch']} rows through the fire_at index, of"
                f" {selection['due_at_0900_shanghai']:,} due at 09:00 Shanghai",
            ),
            note=(
                f"{selection['schedule_rows']:,} schedule rows; max {busiest['max']} ms;"
                f" an idle minute: p50 {idle['p50']} ms, max {idle['max']} ms"
            ),
        ),
        Figure(
            "reminders",
            f"delivery of {delivery['reminders']:,} reminders: time / the 30 msg/s floor",
            ratio,
            "",
            f"≤ {DELIVERY_TARGET_RATIO}",
            ratio <= DELIVERY_TARGET_RATIO,
            limits=("Telegram's bulk limit, ~30 messages/s for all reminders together",),
            note=(
                f"{delivery['sent']:,} sent in {delivery['elapsed_seconds']} s"
                f" ({delivery['messages_per_second']}/s), {delivery['duplicates']} duplicates"
                + ("" if full else "; a short run, where the limiter's first burst counts: --full")
            ),
        ),
    ]
