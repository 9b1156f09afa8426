"""Conversation throughput and latency: the real bot against a bare echo bot, same stand-in."""

from __future__ import annotations

import pstats
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.figures import Figure, at_least, at_most
from benchmarks.processes import OUT, bot_environment, follow, python, start_load, stop
from bot.settings import PROJECT_ROOT

IDLE_FUNCTIONS = ("poll' of 'select", "select.epoll", "_run_once", "time.sleep", "acquire' of")


@dataclass(frozen=True)
class ConversationResult:
    scenario: str
    users: int
    turns_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    measured_seconds: float
    bot_cpu_seconds: float  # used while measuring
    bot_peak_rss_mb: float
    api_calls_per_turn: float = 0.0
    charts: int = 0  # plan charts sent while measuring: the walk reached step 4
    top_costs: tuple[str, ...] = ()
    costs_by_package: tuple[str, ...] = ()


def run(
    scenario: str,
    users: int,
    seconds: float,
    warmup: float = 3,
    profile: bool = False,
    client: str = "aiohttp",
    shape: str = "bare",
) -> ConversationResult:
    """Run one scenario: 'guide' is our bot walking the guide, 'echo' the framework floor
    (over `client`: aiohttp like our bot, or httpx, python-telegram-bot's default; `shape`
    'guide' makes the echo send what our bot sends, see benchmarks/echo_bot.py)."""
    database = OUT / f"conversation-{scenario}.sqlite3"
    for leftover in OUT.glob(f"{database.name}*"):
        leftover.unlink()
    load, port = start_load(scenario, users, seconds, warmup)
    environment = {
        **bot_environment(port, database),
        "HTTP_CLIENT": client,
        "ECHO_SHAPE": shape,
    }
    profile_file = OUT / f"{scenario}.prof"
    command = ["-m", "benchmarks.echo_bot" if scenario == "echo" else "bot"]
    if profile:
        command = ["-m", "cProfile", "-o", str(profile_file), *command]
    bot = python(*command, env=environment)
    try:
        line, measuring_cpu, measured = follow(load, bot)
    finally:
        stop(bot)
        stop(load)
    costs = top_costs(profile_file) if profile else ()
    packages = costs_by_package(profile_file) if profile else ()
    return ConversationResult(
        scenario=scenario,
        users=users,
        turns_per_second=line["turns_per_second"],
        p50_ms=line["p50_ms"],
        p95_ms=line["p95_ms"],
        p99_ms=line["p99_ms"],
        measured_seconds=line["seconds"],
        bot_cpu_seconds=round(measured.cpu_seconds - measuring_cpu, 2),
        bot_peak_rss_mb=measured.peak_rss_mb,
        api_calls_per_turn=line["api_calls_per_turn"],
        charts=line["api_calls"].get("sendPhoto", 0),
        top_costs=costs,
        costs_by_package=packages,
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


def costs_by_package(profile_file: Path, count: int = 3) -> tuple[str, ...]:
    """CPU used inside each package (httpcore, telegram, flows…), waiting for I/O left out.

    Time inside C built-ins (socket calls, JSON) is charged to the package that called them,
    so a socket read issued by httpcore counts as httpcore's.
    """
    statistics = pstats.Stats(str(profile_file))
    spent: dict[str, float] = {}
    table = statistics.stats  # type: ignore[attr-defined]
    for (filename, _line, name), entry in table.items():
        if any(idle in name for idle in IDLE_FUNCTIONS):
            continue
        own, callers = entry[2], entry[4]
        if filename != "~" or not callers:
            package = _package(filename)
            spent[package] = spent.get(package, 0.0) + own
            continue
        for caller, (_, _, own_from_caller, _) in callers.items():
            package = _package(caller[0])
            spent[package] = spent.get(package, 0.0) + own_from_caller
    total = sum(spent.values()) or 1.0
    ranked = sorted(spent.items(), key=lambda item: item[1], reverse=True)
    return tuple(f"{package} {seconds / total:.0%}" for package, seconds in ranked[:count])


def _package(filename: str) -> str:
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if filename == "~":
        return "C built-ins"
    if filename.startswith("<frozen"):
        return "importlib"
    try:
        return path.relative_to(PROJECT_ROOT).parts[0]
    except ValueError:
        pass
    if "asyncio" in parts:
        return "asyncio"
    return f"stdlib {path.stem}"


@dataclass(frozen=True)
class Comparison:
    ours: ConversationResult
    echo: ConversationResult
    echo_httpx: ConversationResult
    echo_shaped: ConversationResult


def compare(users: int, seconds: float, warmup: float, profile: bool) -> Comparison:
    """Our guide walk and the echo floor, measured back to back; then, when `profile`, each
    once more under cProfile (profiling slows a run, so its figures are not the reported ones).
    """
    echo = run("echo", users, seconds, warmup)
    ours = run("guide", users, seconds, warmup)
    echo_httpx = run("echo", users, seconds, warmup, client="httpx")
    echo_shaped = run("echo", users, seconds, warmup, shape="guide")
    if profile:
        short = max(seconds / 2, 5)
        echo = replace(echo, **_costs(run("echo", users, short, warmup, profile=True)))
        ours = replace(ours, **_costs(run("guide", users, short, warmup, profile=True)))
    return Comparison(ours=ours, echo=echo, echo_httpx=echo_httpx, echo_shaped=echo_shaped)


def _costs(result: ConversationResult) -> dict[str, tuple[str, ...]]:
    return {"top_costs": result.top_costs, "costs_by_package": result.costs_by_package}


THROUGHPUT_TARGET = 1_000
RSS_TARGET_MB = 150
RATIO_TARGET = 0.7


def figures(full: bool = False, users: int = 200, seconds: float | None = None) -> list[Figure]:
    measured_seconds = seconds or (30 if full else 10)
    # People start spread over the warm-up; only a long one spreads them over a whole lap of
    # the walk (~45 turns), so that the measured mix is the walk's (--full).
    comparison = compare(users, measured_seconds, warmup=30 if full else 10, profile=True)
    ours, echo, echo_httpx = comparison.ours, comparison.echo, comparison.echo_httpx
    shaped = comparison.echo_shaped
    ratio = ours.turns_per_second / echo.turns_per_second if echo.turns_per_second else 0.0
    rate_target, rate_passed = at_least(ours.turns_per_second, THROUGHPUT_TARGET)
    ratio_target, ratio_passed = at_least(ratio, RATIO_TARGET)
    cpu_ratio = _cpu_ms(echo) / _cpu_ms(ours) if _cpu_ms(ours) else 0.0
    return [
        Figure(
            "conversation",
            f"guide walk, {users} users: updates/s",
            ours.turns_per_second,
            "updates/s",
            rate_target,
            rate_passed,
            limits=_limits(ours),
            note=_note(ours) + f"; {ours.charts} plan charts drawn",
        ),
        *(
            Figure("conversation", f"guide walk: p{p} latency", getattr(ours, f"p{p}_ms"), "ms")
            for p in (50, 95, 99)
        ),
        Figure(
            "conversation",
            "guide walk: bot CPU per update",
            _cpu_ms(ours),
            "ms",
            note="steadier than updates/s when other work shares the machine",
        ),
        Figure(
            "conversation",
            f"echo floor, {users} users: updates/s",
            echo.turns_per_second,
            "updates/s",
            limits=_limits(echo),
            note=_note(echo) + f"; p50 {echo.p50_ms} ms, p95 {echo.p95_ms} ms",
        ),
        Figure("conversation", "echo floor: bot CPU per update", _cpu_ms(echo), "ms"),
        Figure(
            "conversation",
            "ratio ours / echo floor",
            round(ratio, 2),
            "",
            ratio_target,
            ratio_passed,
            limits=(
                f"API calls per update: ours {ours.api_calls_per_turn}, "
                f"echo {echo.api_calls_per_turn}",
                f"bot CPU per update: ours {_cpu_ms(ours):.2f} ms, echo {_cpu_ms(echo):.2f} ms",
            ),
        ),
        Figure(
            "conversation",
            "ratio by CPU per update (echo / ours)",
            round(cpu_ratio, 2),
            "",
            *at_least(cpu_ratio, RATIO_TARGET),
            note="the same ratio measured in CPU, which other work on the machine does not skew",
        ),
        Figure(
            "conversation",
            "echo sending what we send: updates/s",
            shaped.turns_per_second,
            "updates/s",
            note=_note(shaped) + "; replies of our size, presses marked like ours, no logic",
        ),
        Figure(
            "conversation",
            "ratio ours / echo sending what we send",
            round(ours.turns_per_second / shaped.turns_per_second, 2)
            if shaped.turns_per_second
            else 0.0,
            "",
            limits=(
                f"bot CPU per update: ours {_cpu_ms(ours):.2f} ms, this echo"
                f" {_cpu_ms(shaped):.2f} ms: the difference is our own logic (flows, storage,"
                " rendering, ordering)",
            ),
        ),
        Figure(
            "conversation",
            "bot peak RSS serving the walk (plan charts included)",
            ours.bot_peak_rss_mb,
            "MB",
            *at_most(ours.bot_peak_rss_mb, RSS_TARGET_MB),
            limits=(
                "Pillow, a font and the chart being drawn (~17 MB, one chart at a time in a"
                " worker thread); the bot without charts stays near the storage benchmark's"
                " figure",
            ),
            note=f"{ours.charts} plan charts drawn while measuring",
        ),
        Figure(
            "conversation",
            "echo over httpx (the framework's default client): updates/s",
            echo_httpx.turns_per_second,
            "updates/s",
            note=_note(echo_httpx) + "; for comparison: our bot used this client before",
        ),
    ]


def _limits(result: ConversationResult) -> tuple[str, ...]:
    return (
        "CPU by package (cProfile, own time): " + ", ".join(result.costs_by_package),
        "top functions (own time): " + ", ".join(result.top_costs),
    )


def _note(result: ConversationResult) -> str:
    return (
        f"{result.api_calls_per_turn} API calls per update; bot CPU {_cpu_ms(result):.2f} ms per"
        f" update ({result.bot_cpu_seconds / result.measured_seconds:.0%} of one core);"
        f" bot peak RSS {result.bot_peak_rss_mb} MB"
    )


def _cpu_ms(result: ConversationResult) -> float:
    """Bot CPU per update while measuring (in both bot threads: asyncio and aiosqlite)."""
    updates = result.turns_per_second * result.measured_seconds
    return round(result.bot_cpu_seconds * 1000 / updates, 2) if updates else 0.0
