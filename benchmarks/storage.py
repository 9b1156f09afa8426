"""Storage: state writes per second through `Storage.save`, database size per 10,000 users, and
the bot's peak memory while it serves users out of a database holding 100,000 of them.

The write figures run in this process (what each write costs is broken down by timing its
parts); the memory figure runs the real bot process against the stand-in Bot API.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from benchmarks.conversation import costs_by_package, top_costs
from benchmarks.figures import Figure, at_least, at_most
from benchmarks.processes import (
    CLOCK_TICKS,
    OUT,
    bot_environment,
    follow,
    python,
    start_load,
    stop,
)
from bot.storage.sqlite import Storage
from flows.conversation.reminders import schedule
from flows.conversation.state import Position, Profile, UserState
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.domain.money import Period

FIRST_USER_ID = 100_000  # the load process's people have ids from here (benchmarks/load.py)
PLATFORMS = ("借呗", "美团月付", "京东白条", "分期乐", "安逸花", "360借条")
WRITES_IN_FLIGHT = 64  # the bot saves from many concurrent update handlers at once
RSS_TARGET_MB = 150
# A turn saves once; the conversation target is 1,000 turns/s.
WRITES_TARGET = 1_000


def realistic_state(seed: int) -> UserState:
    """A user in the middle of step 1 with three debts filled in, amounts varied by `seed`."""
    debts = tuple(
        Debt(
            id=number,
            platform=PLATFORMS[(seed + number) % len(PLATFORMS)],
            lender=LenderKind.MICROLENDER,
            contract_date=date(2024, 1 + seed % 12, 1 + seed % 28),
            borrowed=Decimal(10_000 + seed % 9_000 * number),
            received=Decimal(9_300 + seed % 8_000 * number),
            remaining_principal=Decimal(f"{6_000 + seed % 5_000}.{seed % 100:02d}"),
            rate=RateQuote(per_period=Decimal("0.0005"), period=Period.DAY),
            installments=InstallmentTerms(payment=Decimal(f"{900 + seed % 700}.20"), periods=12),
            penalty=PenaltyRule(daily_rate=Decimal("0.00075")),
            due=DueSpec.monthly(1 + (seed + number) % 28),
            days_overdue=seed % 120,
            owed_now=Decimal(f"{7_000 + seed % 6_000}.{(seed * 7) % 100:02d}"),
        )
        for number in (1, 2, 3)
    )
    return UserState(
        started=True,
        position=Position(
            step="contact", node="form", draft={"platform": debts[0].platform, "reason": "illness"}
        ),
        history=(Position(step="menu", node="main"), Position(step="contact", node="why")),
        prompt_seq=10 + seed % 50,
        profile=Profile(delay_reason="illness"),
        debts=debts,
        next_debt_id=4,
    )


# ---- state writes -----------------------------------------------------------------------


@dataclass(frozen=True)
class WriteResult:
    users: int
    inserts_per_second: float
    updates_per_second: float
    bytes_per_state: int
    database_mb_per_10k: float
    breakdown: tuple[str, ...]


async def _save_all(storage: Storage, states: list[UserState], first: int) -> float:
    """Save every state (user ids from `first`), WRITES_IN_FLIGHT at a time; seconds taken."""
    semaphore = asyncio.Semaphore(WRITES_IN_FLIGHT)

    async def one(offset: int, state: UserState) -> None:
        async with semaphore:
            user = first + offset
            await storage.save(user, user, state, update_id=offset + 1)

    started = time.perf_counter()
    await asyncio.gather(*(one(offset, state) for offset, state in enumerate(states)))
    return time.perf_counter() - started


async def measure_writes(users: int) -> WriteResult:
    database = _fresh(OUT / "storage-writes.sqlite3")
    states = [realistic_state(seed) for seed in range(users)]
    # A turn moves the user on without touching their debts: the common write.
    turned = [state.model_copy(update={"prompt_seq": state.prompt_seq + 1}) for state in states]
    storage = await Storage.open(database)
    try:
        insert_seconds = await _save_all(storage, states, FIRST_USER_ID)
        before = _thread_cpu()
        update_seconds = await _save_all(storage, turned, FIRST_USER_ID)
        after = _thread_cpu()
        costs = await _profile_writes(storage, states[: min(users, 2_000)])
    finally:
        await storage.close()
    _checkpoint(database)
    size = database.stat().st_size
    loop_cpu = (after[0] - before[0]) / users
    database_cpu = (after[1] - before[1]) / users
    breakdown = (
        f"wall time per write, {WRITES_IN_FLIGHT} in flight: {update_seconds / users * 1e6:.0f} µs;"
        " writes are serialised (one transaction at a time on aiosqlite's one thread)",
        f"CPU per write: event-loop thread {loop_cpu * 1e6:.0f} µs, aiosqlite's SQLite thread"
        f" {database_cpu * 1e6:.0f} µs",
        *costs,
    )
    return WriteResult(
        users=users,
        inserts_per_second=round(users / insert_seconds),
        updates_per_second=round(users / update_seconds),
        bytes_per_state=round(sum(len(s.model_dump_json().encode()) for s in states[:100]) / 100),
        database_mb_per_10k=round(size / users * 10_000 / 2**20, 1),
        breakdown=breakdown,
    )


def _thread_cpu() -> tuple[float, float]:
    """CPU seconds so far of this process's main thread and of all its other threads (Linux)."""
    main, others = 0.0, 0.0
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        if int(task.name) == os.getpid():
            main += seconds
        else:
            others += seconds
    return main, others


async def _profile_writes(storage: Storage, states: list[UserState]) -> tuple[str, ...]:
    """The event-loop thread's top costs while saving (cProfile sees only this thread)."""
    profile_file = OUT / "storage-writes.prof"
    profiler = cProfile.Profile()
    profiler.enable()
    await _save_all(storage, states, FIRST_USER_ID)
    profiler.disable()
    profiler.dump_stats(profile_file)
    return (
        "event-loop thread by package: " + ", ".join(costs_by_package(profile_file)),
        "top functions (own time): " + ", ".join(top_costs(profile_file)),
    )


_INSERT = (
    "INSERT INTO users (user_id, chat_id, state, active, created_at, updated_at, last_update_id)"
    " VALUES (?, ?, ?, 1, ?, ?, ?)"
)


def _fresh(database: Path) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    for leftover in database.parent.glob(f"{database.name}*"):
        leftover.unlink()
    return database


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the main file, so its size is the data's size."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# ---- memory with 100,000 users ----------------------------------------------------------


def populate(database: Path, users: int, variants: int = 256) -> None:
    """Bulk-insert `users` states straight through sqlite3 (Storage creates the schema first,
    so the file is exactly what the bot would have written)."""
    _fresh(database)

    async def create() -> None:
        await (await Storage.open(database)).close()

    asyncio.run(create())
    states = [realistic_state(seed) for seed in range(variants)]
    payloads = [state.model_dump_json() for state in states]
    moment = datetime.now(UTC)
    now = int(moment.timestamp())
    # Each user's reminder schedule, as Storage.save derives it (future reminders only).
    schedules = [
        [
            (r.debt_id, r.due_date.isoformat(), r.lead, int(r.fire_at.timestamp()))
            for r in schedule(state, moment)
            if r.fire_at.timestamp() > now
        ]
        for state in states
    ]
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    with connection:
        connection.executemany(
            _INSERT,
            (
                (FIRST_USER_ID + i, FIRST_USER_ID + i, payloads[i % variants], now, now, 0)
                for i in range(users)
            ),
        )
        connection.executemany(
            "INSERT INTO reminders (user_id, debt_id, due_date, lead, fire_at)"
            " VALUES (?, ?, ?, ?, ?)",
            ((FIRST_USER_ID + i, *row) for i in range(users) for row in schedules[i % variants]),
        )
    connection.close()
    _checkpoint(database)


@dataclass(frozen=True)
class MemoryResult:
    stored_users: int
    active_users: int
    turns_per_second: float
    peak_rss_mb: float
    imports_rss_mb: float
    database_mb: float


def measure_memory(stored: int, active: int, seconds: float, warmup: float) -> MemoryResult:
    """The real bot process serving `active` people spread over `stored` users' rows."""
    database = OUT / "storage-memory.sqlite3"
    populate(database, stored)
    stride = max(stored // active, 1)
    load, port = start_load("guide", active, seconds, warmup, stride=stride)
    bot = python("-m", "bot", env=bot_environment(port, database))
    try:
        line, _, measured = follow(load, bot)
    finally:
        stop(bot)
        stop(load)
    return MemoryResult(
        stored_users=stored,
        active_users=active,
        turns_per_second=line["turns_per_second"],
        peak_rss_mb=measured.peak_rss_mb,
        imports_rss_mb=imports_rss_mb(),
        database_mb=round(database.stat().st_size / 2**20, 1),
    )


def imports_rss_mb() -> float:
    """Peak memory of a process that only imports the bot and builds its Application: the
    part of the figure that does not depend on users at all."""
    code = (
        "import pathlib, bot.telegram_app as t, bot.settings as s;"
        "t.build_application(s.Settings(telegram_bot_token='1:x'));"
        "print(next(l.split()[1] for l in pathlib.Path('/proc/self/status').read_text()"
        ".splitlines() if l.startswith('VmHWM:')))"
    )
    process = python("-c", code, stdout=subprocess.PIPE)
    output, _ = process.communicate(timeout=60)
    return round(int(output.decode().strip()) / 1024, 1)


# ---- figures ----------------------------------------------------------------------------


def figures(full: bool = False) -> list[Figure]:
    writes = asyncio.run(measure_writes(users=20_000 if full else 5_000))
    memory = measure_memory(
        stored=100_000,
        active=1_000 if full else 500,
        seconds=30 if full else 10,
        warmup=5 if full else 3,
    )
    target, passed = at_least(writes.updates_per_second, WRITES_TARGET)
    rss_target, rss_passed = at_most(memory.peak_rss_mb, RSS_TARGET_MB)
    return [
        Figure(
            "storage",
            f"state writes/s (update, {WRITES_IN_FLIGHT} in flight)",
            writes.updates_per_second,
            "writes/s",
            target,
            passed,
            limits=writes.breakdown,
            note=f"{writes.users:,} users, ~{writes.bytes_per_state:,} bytes of JSON each",
        ),
        Figure(
            "storage",
            "state writes/s (first save of a user)",
            writes.inserts_per_second,
            "writes/s",
            note="a new users row plus the reminder schedule derived from the three debts"
            " (rows each checked against the sent-log): what a debt change also costs",
        ),
        Figure(
            "storage",
            "database size per 10,000 users",
            writes.database_mb_per_10k,
            "MB",
            limits=(
                f"the state JSON: ~{writes.bytes_per_state:,} bytes per user with three debts,"
                " stored as text, one row per user; plus each debt's reminder schedule rows",
            ),
            note="after a WAL checkpoint",
        ),
        Figure(
            "storage",
            "bot peak RSS, 100,000 users stored",
            memory.peak_rss_mb,
            "MB",
            rss_target,
            rss_passed,
            limits=(
                f"importing the bot and building its Application alone: {memory.imports_rss_mb} MB",
                "users' state is loaded per turn and not kept; SQLite's page cache is ~2 MB",
            ),
            note=(
                f"{memory.active_users:,} people spread over the {memory.stored_users:,} stored"
                f" users, {memory.turns_per_second:,.0f} turns/s; database"
                f" {memory.database_mb:,} MB"
            ),
        ),
    ]
