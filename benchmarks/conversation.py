"""Conversation throughput and latency: the real bot against a bare echo bot, same stand-in."""

from __future__ import annotations

import json
import pstats
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import OUT, bot_environment, python, start_load, stop, usage

IDLE_FUNCTIONS = ("poll' of 'select", "select.epoll", "_run_once", "time.sleep", "acquire' of")


@dataclass(frozen=True)
class ConversationResult:
    scenario: str
    users: int
    turns_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    bot_cpu_seconds: float
    bot_peak_rss_mb: float
    top_costs: tuple[str, ...] = ()


def run(
    scenario: str, users: int, seconds: float, warmup: float = 3, profile: bool = False
) -> ConversationResult:
    """Run one scenario: 'guide' is our bot walking the guide, 'echo' the framework floor."""
    database = OUT / f"conversation-{scenario}.sqlite3"
    for leftover in OUT.glob(f"{database.name}*"):
        leftover.unlink()
    load, port = start_load(scenario, users, seconds, warmup)
    environment = bot_environment(port, database)
    profile_file = OUT / f"{scenario}.prof"
    if scenario == "echo":
        command = ["-m", "benchmarks.echo_bot"]
    elif profile:
        command = ["-m", "cProfile", "-o", str(profile_file), "-m", "bot"]
    else:
        command = ["-m", "bot"]
    bot = python(*command, env=environment)
    try:
        output, _ = load.communicate(timeout=seconds + warmup + 120)
        measured = usage(bot)
    finally:
        stop(bot)
        stop(load)
    line = json.loads(output.decode().strip().splitlines()[-1])
    costs = top_costs(profile_file) if profile else ()
    return ConversationResult(
        scenario=scenario,
        users=users,
        turns_per_second=line["turns_per_second"],
        p50_ms=line["p50_ms"],
        p95_ms=line["p95_ms"],
        p99_ms=line["p99_ms"],
        bot_cpu_seconds=round(measured.cpu_seconds, 1),
        bot_peak_rss_mb=measured.peak_rss_mb,
        top_costs=costs,
    )


def top_costs(profile_file: Path, count: int = 3) -> tuple[str, ...]:
    """The functions that used the most CPU themselves (waiting for I/O left out)."""
    statistics = pstats.Stats(str(profile_file))
    rows = []
    total = sum(entry[2] for entry in statistics.stats.values())  # type: ignore[attr-defined]
    for (filename, line, name), entry in statistics.stats.items():  # type: ignore[attr-defined]
        label = f"{Path(filename).name}:{line}({name})"
        if any(idle in label or idle in name for idle in IDLE_FUNCTIONS):
            continue
        rows.append((entry[2], label))
    rows.sort(reverse=True)
    return tuple(f"{label} {own / total:.0%}" for own, label in rows[:count])
