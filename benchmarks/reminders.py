"""Reminder benchmarks (not tests): due-reminder selection and delivery at the bulk limit.

    python -m benchmarks.reminders selection --debts 1000000
    python -m benchmarks.reminders delivery --reminders 10000

selection: a SQLite file with N debts (4 per user, monthly due days 1-31, leads 3/1/0, two
due dates each scheduled: 6 rows per debt, users' hours 8-21 in three time zones), written in
bulk straight into the tables save() fills. Then the pass's query (Storage.due_reminders, one
batch of BATCH rows) is timed at an idle minute and at the busiest minute (09:00 Shanghai).
Target: < 50 ms per selection.

delivery: N users with a debt due in 3 days, one pass at 09:00 through the real ExtBot with
the ReplyAwareLimiter against the stand-in Bot API (tests/standin_api.py), in this process.
The floor is N / 30 s (Telegram's bulk limit); target: elapsed <= 1.05 x floor.

Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import ExtBot

from benchmarks.figures import Figure
from bot.limiter import BULK_MESSAGES_PER_SECOND, ReplyAwareLimiter
from bot.locale import Locales
from bot.reminders import BATCH, LEASE, run_pass
from bot.settings import PROJECT_ROOT
from bot.storage.sqlite import Storage
from bot.telegram_app import broadcast_sender
from flows.conversation.reminders import due_dates, fire_time
from flows.conversation.state import UserState
from flows.domain.ledger import Debt, DueSpec
from tests.standin_api import TOKEN, StandInBotApi

OUT = PROJECT_ROOT / "benchmarks" / "out"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ZONES = (SHANGHAI, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York"))
DEBTS_PER_USER = 4
LEADS = (3, 1, 0)
TODAY = date(2026, 11, 24)
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)


def _rows(debts: int, seed: int = 6):
    """Schedule rows as save() writes them, for `debts` debts, in primary-key order."""
    chance = random.Random(seed)
    users = debts // DEBTS_PER_USER
    for user_id in range(1, users + 1):
        zone = ZONES[user_id % len(ZONES)]
        hour = chance.randint(8, 21)
        for debt_id in range(1, DEBTS_PER_USER + 1):
            for due in due_dates(DueSpec.monthly(chance.randint(1, 31)), TODAY):
                for lead in LEADS:
                    fire = int(fire_time(due, lead, hour, zone).timestamp())
                    yield (user_id, debt_id, due.isoformat(), lead, fire)


async def selection(debts: int, repeats: int) -> dict[str, object]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"reminders-{debts}.sqlite3"
    built = time.monotonic()
    if not path.exists():
        storage = await Storage.open(path)  # the real schema, migrations included
        await storage.close()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("DROP INDEX reminders_fire_at")  # built once, after the rows
            connection.executemany(
                "INSERT INTO users (user_id, chat_id, state, created_at, updated_at)"
                " VALUES (?, ?, '{}', 0, 0)",
                ((u, u) for u in range(1, debts // DEBTS_PER_USER + 1)),
            )
            connection.executemany("INSERT INTO reminders VALUES (?, ?, ?, ?, ?)", _rows(debts))
            connection.execute("CREATE INDEX reminders_fire_at ON reminders(fire_at)")
            connection.execute("ANALYZE")
    build_seconds = time.monotonic() - built
    storage = await Storage.open(path)
    try:
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT COUNT(*) FROM reminders").fetchone()[0]
            due_at_nine = connection.execute(
                "SELECT COUNT(*) FROM reminders WHERE fire_at = ?", (int(NINE.timestamp()),)
            ).fetchone()[0]
        # Rows before "now" would have been sent and removed by earlier passes.
        await storage._db.execute(
            "DELETE FROM reminders WHERE fire_at < ?", (int(NINE.timestamp()),)
        )
        idle = NINE - timedelta(seconds=30)
        timings = {
            "idle_minute_ms": await _time_selection(storage, idle, repeats),
            "busiest_minute_ms": await _time_selection(storage, NINE, repeats),
        }
    finally:
        await storage.close()
    return {
        "benchmark": "reminder_selection",
        "debts": debts,
        "schedule_rows": rows,
        "due_at_0900_shanghai": due_at_nine,
        "batch": BATCH,
        "build_seconds": round(build_seconds, 1),
        **timings,
        "target_ms": 50,
    }


async def _time_selection(storage: Storage, now: datetime, repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await storage.due_reminders(now, now - LEASE, BATCH)
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 2),
        "max": round(ordered[-1], 2),
    }


async def delivery(reminders: int) -> dict[str, object]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"delivery-{reminders}.sqlite3"
    for leftover in OUT.glob(f"{path.name}*"):
        leftover.unlink()
    api = StandInBotApi()
    await api.start()
    storage = await Storage.open(path)
    state = UserState(
        started=True, debts=(Debt(id=1, platform="借呗", due=DueSpec.monthly(27)),), next_debt_id=2
    )
    before = NINE - timedelta(hours=1)
    for user_id in range(1, reminders + 1):
        await storage.save(user_id, user_id, state, now=before)
    locales = Locales.load(PROJECT_ROOT / "locales")
    bot = ExtBot(TOKEN, base_url=api.base_url, rate_limiter=ReplyAwareLimiter())
    try:
        async with bot:
            api.calls.clear()
            started = time.monotonic()
            report = await run_pass(NINE, storage, locales, broadcast_sender(bot))
            elapsed = time.monotonic() - started
    finally:
        await storage.close()
        await api.stop()
    floor = reminders / BULK_MESSAGES_PER_SECOND
    sends = [c for c in api.calls if c.method == "sendMessage"]
    return {
        "benchmark": "reminder_delivery",
        "reminders": reminders,
        "sent": report.sent,
        "duplicates": len(sends) - len({int(c.params["chat_id"]) for c in sends}),
        "elapsed_seconds": round(elapsed, 1),
        "floor_seconds": round(floor, 1),
        "ratio_to_floor": round(elapsed / floor, 3),
        "messages_per_second": round(report.sent / elapsed, 2),
        "target_ratio": 1.05,
    }


SELECTION_TARGET_MS = 50
DELIVERY_TARGET_RATIO = 1.05


def figures(full: bool = False) -> list[Figure]:
    debts = 1_000_000
    picked = asyncio.run(selection(debts, repeats=50 if full else 20))
    delivered = asyncio.run(delivery(10_000 if full else 300))
    busiest = picked["busiest_minute_ms"]
    idle = picked["idle_minute_ms"]
    assert isinstance(busiest, dict) and isinstance(idle, dict)
    ratio = float(delivered["ratio_to_floor"])  # type: ignore[arg-type]
    return [
        Figure(
            "reminders",
            f"due-reminder selection over {debts:,} debts, busiest minute (p50)",
            busiest["p50"],
            "ms",
            f"< {SELECTION_TARGET_MS}",
            busiest["p50"] < SELECTION_TARGET_MS,
            limits=(
                f"one batch of {picked['batch']} rows through the fire_at index, of"
                f" {picked['due_at_0900_shanghai']:,} due at 09:00 Shanghai",
            ),
            note=(
                f"{picked['schedule_rows']:,} schedule rows; max {busiest['max']} ms;"
                f" an idle minute: p50 {idle['p50']} ms, max {idle['max']} ms"
            ),
        ),
        Figure(
            "reminders",
            f"delivery of {delivered['reminders']:,} reminders: time / the 30 msg/s floor",
            ratio,
            "",
            f"≤ {DELIVERY_TARGET_RATIO}",
            ratio <= DELIVERY_TARGET_RATIO,
            limits=("Telegram's bulk limit, ~30 messages/s for all reminders together",),
            note=(
                f"{delivered['sent']:,} sent in {delivered['elapsed_seconds']} s"
                f" ({delivered['messages_per_second']}/s), {delivered['duplicates']} duplicates"
                + ("" if full else "; a short run, where the limiter's first burst counts: --full")
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="which", required=True)
    select = commands.add_parser("selection")
    select.add_argument("--debts", type=int, default=1_000_000)
    select.add_argument("--repeats", type=int, default=50)
    deliver = commands.add_parser("delivery")
    deliver.add_argument("--reminders", type=int, default=10_000)
    arguments = parser.parse_args()
    if arguments.which == "selection":
        result = asyncio.run(selection(arguments.debts, arguments.repeats))
    else:
        result = asyncio.run(delivery(arguments.reminders))
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
