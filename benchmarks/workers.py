"""Several workers on PostgreSQL against one SQLite process: the guide walk through the same
stand-in, updates/s, p99 and CPU per update of each process kind.

Runs: SQLite (one process, `python -m bot`) and PostgreSQL with one receiver and one worker
(`--role receiver` / `--role worker`: the ratio target) alternated in pairs, PostgreSQL as one
process (`--role both`, the same deployment as SQLite's), then 2 and 4 workers. The CPU of the
load generator (stand-in and simulated people), of PostgreSQL (the postmaster and its backends)
and of the receiver are shown beside the workers', so the machine's ceiling is visible: on a
2-core machine the load side alone takes most of a core.

Closed loop, the machine is saturated, so CPU per update also measures scheduling. So the
same worker counts run again at a fixed rate every count sustains with idle CPU (open loop),
and one worker at a quarter of it: four workers at the rate against one at a quarter compares
the same load per process — the contention tax target. Each worker counts what its dispatch
costs (bot/workers.py, written on SIGUSR1): round trips, claims that took nobody, lock attempts
another process won, NOTIFYs received and wake-ups that found nothing — per update these should
not grow with the number of workers.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from benchmarks.figures import Figure, at_least, at_most
from benchmarks.processes import OUT, bot_environment, python, start_load, stop, usage
from bot.workers import COUNTS_DIR_VARIABLE
from tests.pg_cluster import Cluster

WORKER_COUNTS = (1, 2, 4)
# Targets of issue 18: a worker's CPU per update at 4 workers within 15% of one worker's;
# PostgreSQL single-worker throughput at least 0.8x SQLite's.
CPU_TAX_TARGET = 1.15
PG_VS_SQLITE_TARGET = 0.8
PAIRS = 3
# Open loop: a rate 1, 2 and 4 workers all sustain on 2 cores with CPU to spare.
FIXED_RATE = 120.0
# The dispatch's counts, as shown per update (bot/workers.py InboxWorker.counts).
COUNTED = (
    ("round_trips", "round trips"),
    ("claims", "claims"),
    ("claims_empty", "empty claims"),
    ("lock_attempts", "lock attempts"),
    ("lock_misses", "lost"),
    ("notifies", "NOTIFYs"),
    ("wakeups", "wake-ups"),
    ("wakeups_idle", "found nothing"),
)


@dataclass(frozen=True)
class Run:
    label: str
    turns_per_second: float
    p99_ms: float | None
    turns: int
    worker_cpu: float  # seconds, all workers (SQLite: the one process)
    receiver_cpu: float
    load_cpu: float
    postgres_cpu: float
    workers: int
    counts: dict[str, float]  # the workers' dispatch counts over the measured window, summed
    rate: float | None = None

    def per_update(self, key: str) -> float:
        handled = self.counts.get("handled", 0)
        return self.counts.get(key, 0) / handled if handled else 0.0

    def counts_note(self) -> str:
        shown = ", ".join(f"{name} {self.per_update(key):.2f}" for key, name in COUNTED)
        return f"per update, all workers: {shown}"

    @property
    def worker_ms_per_update(self) -> float:
        return 1000 * self.worker_cpu / self.turns if self.turns else 0.0

    def note(self) -> str:
        per = lambda seconds: f"{1000 * seconds / max(self.turns, 1):.2f}"  # noqa: E731
        return (
            f"CPU ms/update: workers {per(self.worker_cpu)}, receiver {per(self.receiver_cpu)},"
            f" load generator {per(self.load_cpu)}, PostgreSQL {per(self.postgres_cpu)};"
            f" {os.cpu_count()} cores"
        )


def run(
    users: int,
    seconds: float,
    warmup: float,
    workers: int,
    cluster: Cluster | None,
    rate: float | None = None,
    both: bool = False,
) -> Run:
    """One run: SQLite when `cluster` is None, else PostgreSQL with `workers` workers; closed
    loop, or open loop at `rate` updates/s."""
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "workers.sqlite3"
    for leftover in OUT.glob(f"{database.name}*"):
        leftover.unlink()
    counts_dir = OUT / "worker-counts"
    shutil.rmtree(counts_dir, ignore_errors=True)
    counts_dir.mkdir()
    load, port = start_load("guide", users, seconds, warmup, rate=rate)
    environment = bot_environment(port, database)
    environment[COUNTS_DIR_VARIABLE] = str(counts_dir)
    receivers: list[subprocess.Popen[bytes]] = []
    handlers: list[subprocess.Popen[bytes]] = []
    if cluster is None:
        handlers.append(python("-m", "bot", env=environment))
    else:
        environment["DATABASE_URL"] = _fresh_database(cluster)
        if both:
            handlers.append(python("-m", "bot", "--role", "both", env=environment))
        else:
            receivers.append(python("-m", "bot", "--role", "receiver", env=environment))
        handlers += [
            python("-m", "bot", "--role", "worker", env=environment)
            for _ in range(workers - 1 if both else workers)
        ]
    everyone = [*receivers, *handlers]
    postmaster = cluster.postmaster if cluster is not None else None
    try:
        assert load.stdout is not None
        before: dict[str, float] = {}
        for raw in load.stdout:
            message = json.loads(raw)
            if message.get("event") == "measuring":
                before = _cpu(load, receivers, handlers, postmaster)
                _ask_counts(handlers, counts_dir, cluster is not None)
            elif "turns_per_second" in message:
                after = _cpu(load, receivers, handlers, postmaster)
                _ask_counts(handlers, counts_dir, cluster is not None)
                break
        else:
            raise RuntimeError("the load process ended without a result")
        counts = _counts(counts_dir) if cluster is not None else {}
    finally:
        for process in everyone:
            stop(process)
        stop(load)
    spent = {key: round(after[key] - before.get(key, 0.0), 2) for key in after}
    label = "SQLite, 1 process" if cluster is None else f"PostgreSQL, {workers} worker(s)"
    if both:
        label = "PostgreSQL, 1 process receiving and handling"
    if rate:
        label += f", {rate:g} updates/s open loop"
    return Run(
        label,
        message["turns_per_second"],
        message["p99_ms"],
        message["turns"],
        spent["handlers"],
        spent["receivers"],
        spent["load"],
        spent["postgres"],
        workers,
        counts,
        rate,
    )


def _ask_counts(handlers: list[subprocess.Popen[bytes]], directory: Path, wanted: bool) -> None:
    """Each worker appends its counts (a line) on SIGUSR1; it wrote one line when it started,
    so its handler is in place. Waits (a few seconds at most) until every line is written."""
    if not wanted:
        return
    files = [directory / f"{process.pid}.jsonl" for process in handlers]
    lines = [_lines(f) for f in files]
    deadline = time.monotonic() + 10
    if any(n == 0 for n in lines):
        raise RuntimeError("a worker did not start in time to be counted")
    for process in handlers:
        process.send_signal(signal.SIGUSR1)
    while any(_lines(f) <= n for f, n in zip(files, lines, strict=True)):
        if time.monotonic() > deadline:
            raise RuntimeError("a worker did not write its counts")
        time.sleep(0.02)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _counts(directory: Path) -> dict[str, float]:
    """The measured window's counts of every worker, summed: the last line minus the one
    before (written when measuring started)."""
    total: dict[str, float] = {}
    for path in directory.glob("*.jsonl"):
        before, after = (json.loads(line) for line in path.read_text().splitlines()[-2:])
        for key, value in after.items():
            total[key] = total.get(key, 0) + value - before.get(key, 0)
    return total


def _cpu(
    load: subprocess.Popen[bytes],
    receivers: list[subprocess.Popen[bytes]],
    handlers: list[subprocess.Popen[bytes]],
    postmaster: int | None,
) -> dict[str, float]:
    return {
        "load": usage(load).cpu_seconds,
        "receivers": sum(usage(p).cpu_seconds for p in receivers),
        "handlers": sum(usage(p).cpu_seconds for p in handlers),
        "postgres": _postgres_cpu(postmaster),
    }


def _postgres_cpu(postmaster: int | None) -> float:
    if postmaster is None:
        return 0.0

    class _Pid:
        pid = postmaster

    return usage(_Pid()).cpu_seconds  # type: ignore[arg-type]


def _fresh_database(cluster: Cluster) -> str:
    name = f"bench_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        connection = await asyncpg.connect(cluster.url())
        try:
            await connection.execute(f"CREATE DATABASE {name}")
        finally:
            await connection.close()

    asyncio.run(create())
    return cluster.url(name)


def figures(
    full: bool = False, users: int = 200, seconds: float | None = None, rate: float = FIXED_RATE
) -> list[Figure]:
    measured = seconds or (30 if full else 10)
    warmup = 10.0
    cluster = Cluster().start()
    try:
        # The ratio target: SQLite's one process against PostgreSQL with one receiver and one
        # worker, alternated PAIRS times: this machine's speed drifts by a quarter between
        # minutes, so a ratio is read within a pair and the median pair is shown.
        pairs = [
            (run(users, measured, warmup, 1, None), run(users, measured, warmup, 1, cluster))
            for _ in range(PAIRS)
        ]
        ratios = [
            pg.turns_per_second / lite.turns_per_second if lite.turns_per_second else 0.0
            for lite, pg in pairs
        ]
        middle = sorted(range(PAIRS), key=ratios.__getitem__)[PAIRS // 2]
        sqlite, one_worker = pairs[middle]
        # The same deployment as SQLite's (one bot process) on PostgreSQL, beside it.
        single = run(users, measured, warmup, 1, cluster, both=True)
        runs = [one_worker] + [
            run(users, measured, warmup, count, cluster) for count in WORKER_COUNTS[1:]
        ]
        steady = [run(users, measured, warmup, count, cluster, rate) for count in WORKER_COUNTS]
        # One worker at the rate each of four gets: the same load per process, so what is left
        # between the two is the cost of there being four (locks, polling, wake-ups).
        quarter = run(users, measured, warmup, 1, cluster, rate / WORKER_COUNTS[-1])
    finally:
        cluster.stop()
    result = [
        Figure("workers", f"{r.label}: updates/s", r.turns_per_second, "updates/s", note=r.note())
        for r in (sqlite, single, *runs)
    ]
    result += [
        Figure("workers", f"{r.label}: p99 latency", r.p99_ms, "ms")
        for r in (sqlite, single, *runs)
    ]
    result += [
        Figure(
            "workers",
            f"{r.label}: dispatch round trips per update",
            round(r.per_update("round_trips"), 2),
            note=r.counts_note(),
        )
        for r in runs
    ]
    result += [
        Figure(
            "workers",
            f"{r.label}: worker CPU per update",
            round(r.worker_ms_per_update, 2),
            "ms",
            note=f"{r.turns_per_second:g} updates/s, p99 {r.p99_ms} ms; {r.note()}; "
            + r.counts_note(),
        )
        for r in (*steady, quarter)
    ]
    one, four = runs[0], runs[-1]
    tax = four.worker_ms_per_update / one.worker_ms_per_update if one.worker_ms_per_update else 0
    slow_one, slow_four = steady[0], steady[-1]
    steady_tax = (
        slow_four.worker_ms_per_update / slow_one.worker_ms_per_update
        if slow_one.worker_ms_per_update
        else 0
    )
    per_worker = (
        slow_four.worker_ms_per_update / quarter.worker_ms_per_update
        if quarter.worker_ms_per_update
        else 0
    )
    # The target (no contention tax from locks or polling) is read at the same load per
    # worker process: at the same total rate each of four workers handles a quarter of it, and
    # a process spends more per update when fewer updates share a wake-up of its loop, with or
    # without other workers (the two ratios beside it show that, untargeted).
    tax_target, tax_passed = at_most(per_worker, CPU_TAX_TARGET)
    ratio = ratios[middle]
    ratio_target, ratio_passed = at_least(ratio, PG_VS_SQLITE_TARGET)
    each = ", ".join(
        f"{pg.turns_per_second:.0f}/{lite.turns_per_second:.0f} = {r:.2f}"
        for (lite, pg), r in zip(pairs, ratios, strict=True)
    )
    alone = single.turns_per_second / sqlite.turns_per_second if sqlite.turns_per_second else 0
    trips_one, trips_four = one.per_update("round_trips"), four.per_update("round_trips")
    result += [
        Figure(
            "workers",
            "worker CPU per update, 4 workers / 1 worker",
            round(tax, 2),
            "x",
            note=f"closed loop (saturated: includes scheduling on an oversubscribed machine);"
            f" {one.worker_ms_per_update:.2f} ms -> {four.worker_ms_per_update:.2f} ms",
        ),
        Figure(
            "workers",
            f"worker CPU per update at {rate:g} updates/s, 4 workers / 1 worker",
            round(steady_tax, 2),
            "x",
            note=f"open loop, CPU to spare, the same total rate (each of four handles a"
            f" quarter): {slow_one.worker_ms_per_update:.2f} ms ->"
            f" {slow_four.worker_ms_per_update:.2f} ms",
        ),
        Figure(
            "workers",
            f"worker CPU per update, 4 workers at {rate:g} / 1 worker at {quarter.rate:g}"
            " updates/s",
            round(per_worker, 2),
            "x",
            tax_target,
            tax_passed,
            note="the same load per worker process: a process answering fewer updates at once"
            " spends more CPU on each (fewer share a wake-up of its loop), with or without"
            f" other workers; {quarter.worker_ms_per_update:.2f} ms ->"
            f" {slow_four.worker_ms_per_update:.2f} ms",
        ),
        Figure(
            "workers",
            "dispatch round trips per update, 4 workers / 1 worker",
            round(trips_four / trips_one, 2) if trips_one else None,
            "x",
            note=f"closed loop: {trips_one:.2f} -> {trips_four:.2f}",
        ),
        Figure(
            "workers",
            "PostgreSQL 1 worker / SQLite updates/s",
            round(ratio, 2),
            "x",
            ratio_target,
            ratio_passed,
            note=f"a receiver and one worker on PostgreSQL against SQLite's one process, the"
            f" median of {PAIRS} pairs run back to back ({each}); the machine's cores are"
            " shared with the load generator and PostgreSQL",
        ),
        Figure(
            "workers",
            "PostgreSQL 1 process receiving and handling / SQLite updates/s",
            round(alone, 2),
            "x",
            note="one bot process on each database (PostgreSQL: role both), against the median"
            " pair's SQLite run",
        ),
    ]
    return result
