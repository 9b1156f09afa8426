"""Conversation throughput, latency and CPU per update: our bot beside the peer (the bot most
people would write, benchmarks/peer_bot.py) in the same run, same stand-in, same load, as
ratios; the bare echo bot as the framework's floor, for context.

Closed loop: 200 people each answering as soon as the bot has answered them; ours and the
peer alternate, several repetitions, and each ratio is the median of the repetitions'
ratios. Open loop: updates arrive at random (Poisson) at 20 … 400 updates/s whatever the bot
is doing; p50/p99 from an update's arrival to the bot's last call for it, and the highest
rate each bot sustains with p99 < 100 ms.
"""

from __future__ import annotations

import pstats
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import Figure, at_least, at_most
from benchmarks.processes import OUT, bot_environment, follow, python, start_load, stop
from bot.settings import PROJECT_ROOT

BOTS = {"guide": "bot", "echo": "benchmarks.echo_bot", "peer": "benchmarks.peer_bot"}
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
    rate: float | None = None  # open loop: the arrival rate asked for
    arrived: int = 0  # open loop: updates that arrived while measuring
    charts: int = 0  # plan charts sent while measuring: the walk reached step 4
    top_costs: tuple[str, ...] = ()
    costs_by_package: tuple[str, ...] = ()


def run(
    scenario: str,
    users: int,
    seconds: float,
    warmup: float = 3,
    profile: bool = False,
    client: str | None = None,
    shape: str = "bare",
    rate: float | None = None,
    command: tuple[str, ...] | None = None,
) -> ConversationResult:
    """Run one scenario: 'guide' is our bot walking the guide, 'echo' the framework floor
    (over `client`: each bot's own by default; aiohttp, like our bot, or httpx,
    python-telegram-bot's default; `shape`
    'guide' makes the echo send what our bot sends, see benchmarks/echo_bot.py), 'peer' the
    typical bot. `rate`: an open loop at that many updates/s. `command`: run this instead of
    the scenario's bot (our bot with a lever undone, benchmarks/levers.py)."""
    database = OUT / f"conversation-{scenario}.sqlite3"
    pickle = OUT / "peer.pickle"
    for leftover in [*OUT.glob(f"{database.name}*"), pickle]:
        leftover.unlink(missing_ok=True)
    load, port = start_load(scenario, users, seconds, warmup, rate=rate)
    environment = {
        **bot_environment(port, database),
        "ECHO_SHAPE": shape,
        "PEER_PICKLE": str(pickle),
        **({"HTTP_CLIENT": client} if client else {}),
    }
    profile_file = OUT / f"{scenario}.prof"
    arguments = list(command or ("-m", BOTS[scenario]))
    if profile:
        arguments = ["-m", "cProfile", "-o", str(profile_file), *arguments]
    bot = python(*arguments, env=environment)
    try:
        line, measuring_cpu, measured = follow(load, bot)
    finally:
        stop(bot)
        stop(load)
    costs = (*top_costs(profile_file), where_it_goes(profile_file)) if profile else ()
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
        rate=rate,
        arrived=line.get("arrived", 0),
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


# Where a turn's time goes, by the function that stands for each part (cumulative time).
AREAS = (
    ("sending replies, press answers and marks (bot/api.py → PTB → aiohttp)", "bot/api.py", "call"),
    (
        "getUpdates polling and the inbox store before it (PTB's Updater)",
        "_updater.py",
        "polling_action_cb",
    ),
    ("storage: load", "bot/storage/sqlite.py", "load"),
    ("storage: save", "bot/storage/sqlite.py", "save"),
    ("storage: the turn's commit", "bot/storage/sqlite.py", "commit_turn"),
    ("delivery from the outbox (reads, sends, deletions)", "bot/delivery.py", "flush"),
    ("the conversation core (flows/)", "flows/dispatcher/machine.py", "handle"),
    ("our whole handler (on_update)", "bot/telegram_app.py", "on_update"),
)


def where_it_goes(profile_file: Path) -> str:
    """Each part's cumulative share of the event loop's busy time (waiting in epoll left
    out; time waiting for the GIL is in, as cProfile counts wall time)."""
    statistics = pstats.Stats(str(profile_file)).stats  # type: ignore[attr-defined]
    busy = sum(entry[2] for entry in statistics.values())
    busy -= sum(entry[2] for (_, _, name), entry in statistics.items() if "select.epoll" in name)
    shares = []
    for label, filename, function in AREAS:
        spent = sum(
            entry[3]
            for (path, _, name), entry in statistics.items()
            if path.endswith(filename) and name == function
        )
        if not spent:
            continue  # not in this run
        shares.append(f"{label} {spent / busy:.0%}" if busy else label)
    return "; ".join(shares)


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
class Pair:
    """Our bot and the peer under the same load, one right after the other."""

    ours: ConversationResult
    peer: ConversationResult


def alternating(
    repetitions: int, users: int, seconds: float, warmup: float, rate: float | None = None
) -> list[Pair]:
    """Ours and the peer in turn, the order swapped every repetition (ours first, then the
    peer first…) so that a drift in the machine's load favours neither."""
    pairs = []
    for repetition in range(repetitions):
        order = ("guide", "peer") if repetition % 2 == 0 else ("peer", "guide")
        found = {name: run(name, users, seconds, warmup, rate=rate) for name in order}
        pairs.append(Pair(found["guide"], found["peer"]))
    return pairs


def sustains(result: ConversationResult) -> bool:
    """Kept up with the arrivals (≥ 95% answered while measuring) with p99 < 100 ms."""
    answered = result.turns_per_second * result.measured_seconds
    return (
        result.p99_ms is not None
        and result.p99_ms < SUSTAINED_P99_MS
        and answered >= 0.95 * result.arrived
    )


def highest_sustained(
    scenario: str, series: dict[float, ConversationResult], seconds: float, warmup: float
) -> float | None:
    """The highest rate `scenario` sustains: the series' best, then beyond it (×1.5 while it
    holds, up to MAX_RATE), or once halfway to the first rate it failed."""
    tried = dict(series)
    passed = [rate for rate, result in tried.items() if sustains(result)]
    best = max(passed, default=None)
    failed_above = [rate for rate, result in tried.items() if not sustains(result)]
    if best is None:
        return None
    if not [rate for rate in failed_above if rate > best]:
        rate = best * 1.5
        while rate <= MAX_RATE:
            if not sustains(run(scenario, 0, seconds, warmup, rate=rate)):
                break
            best, rate = rate, rate * 1.5
        return best
    halfway = (best + min(rate for rate in failed_above if rate > best)) / 2
    return halfway if sustains(run(scenario, 0, seconds, warmup, rate=halfway)) else best


THROUGHPUT_TARGET = 1_000
RSS_TARGET_MB = 150
CPU_RATIO_TARGET = 0.5  # our CPU per update / the peer's, same run
P99_TARGET_MS = 50  # open loop at P99_TARGET_RATE
P99_TARGET_RATE = 200
SUSTAINED_P99_MS = 100
RATES = (20, 50, 100, 200, 400)
MAX_RATE = 1_600
_SECTIONS: list[str] = []


def sections() -> list[str]:
    """Markdown tables of the last figures() call, for RESULTS.md (the open-loop series)."""
    return list(_SECTIONS)


def figures(
    full: bool = False,
    users: int = 200,
    seconds: float | None = None,
    *,
    warmup: float | None = None,
    repetitions: int | None = None,
    rates: tuple[float, ...] = RATES,
    context: bool = True,
) -> list[Figure]:
    """`context`: also the echo floors, the profiled run and the highest sustained rates
    (off in the smoke test)."""
    measured = seconds or (30 if full else 10)
    # People start spread over the warm-up; only a long one spreads them over a whole lap of
    # the walk (~45 turns), so that the measured mix is the walk's (--full).
    warm = warmup if warmup is not None else (30 if full else 10)
    closed = alternating(repetitions or 3, users, measured, warm)
    open_seconds = max(measured / 2, 1) if not full else measured
    open_warm = min(warm, 5)
    series = {rate: alternating(1, users, open_seconds, open_warm, rate=rate)[0] for rate in rates}
    rows = _closed_figures(closed, users)
    rows.extend(_open_figures(series))
    _SECTIONS[:] = [_open_table(series, users)]
    if not context:
        return rows
    best = {
        name: highest_sustained(
            name,
            {rate: getattr(pair, side) for rate, pair in series.items()},
            open_seconds,
            open_warm,
        )
        for name, side in (("guide", "ours"), ("peer", "peer"))
    }
    rows.append(
        Figure(
            "conversation",
            "open loop: highest rate ours sustains with p99 < 100 ms (the peer's in the note)",
            best["guide"],
            "updates/s",
            note=f"peer: {best['peer'] or '—'} updates/s; sustained = p99 < 100 ms and ≥ 95% of"
            " the arrivals answered while measuring",
        )
    )
    rows.extend(_context_figures(users, measured, warm, closed))
    return rows


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _spread(values: list[float], places: int = 2) -> str:
    return ", ".join(f"{value:.{places}f}" for value in values)


def _closed_figures(pairs: list[Pair], users: int) -> list[Figure]:
    ours_rate = [pair.ours.turns_per_second for pair in pairs]
    peer_rate = [pair.peer.turns_per_second for pair in pairs]
    ours_cpu = [_cpu_ms(pair.ours) for pair in pairs]
    peer_cpu = [_cpu_ms(pair.peer) for pair in pairs]
    cpu_ratios = [o / p if p else 0.0 for o, p in zip(ours_cpu, peer_cpu, strict=True)]
    rate_ratios = [o / p if p else 0.0 for o, p in zip(ours_rate, peer_rate, strict=True)]
    cpu_ratio = round(_median(cpu_ratios), 2)
    last = pairs[-1]
    calls = (
        f"API calls per update: ours {last.ours.api_calls_per_turn},"
        f" peer {last.peer.api_calls_per_turn}"
    )
    return [
        Figure(
            "conversation",
            "CPU per update, ours / peer (closed loop)",
            cpu_ratio,
            "",
            f"≤ {CPU_RATIO_TARGET:g}",
            cpu_ratio <= CPU_RATIO_TARGET,
            limits=(
                f"ours {_median(ours_cpu):.2f} ms ({_spread(ours_cpu)}), peer"
                f" {_median(peer_cpu):.2f} ms ({_spread(peer_cpu)}); ratio per repetition"
                f" {_spread(cpu_ratios)}",
                calls,
            ),
            note="the bot process's CPU (all its threads) while measuring / updates answered;"
            " the steadiest figure when other work shares the machine",
        ),
        Figure("conversation", "ours: CPU per update", _median(ours_cpu), "ms"),
        Figure("conversation", "peer: CPU per update", _median(peer_cpu), "ms"),
        Figure(
            "conversation",
            f"updates/s, ours / peer (closed loop, {users} users)",
            round(_median(rate_ratios), 2),
            "",
            limits=(
                f"ours {_median(ours_rate):,.0f} updates/s ({_spread(ours_rate, 0)}), peer"
                f" {_median(peer_rate):,.0f} ({_spread(peer_rate, 0)})",
            ),
        ),
        Figure(
            "conversation",
            "ours: updates/s (closed loop)",
            _median(ours_rate),
            "updates/s",
            *at_least(_median(ours_rate), THROUGHPUT_TARGET),
            limits=_limits(last.ours),
            note=_note(last.ours),
        ),
        Figure(
            "conversation",
            "peer: updates/s (closed loop)",
            _median(peer_rate),
            "updates/s",
            limits=_limits(last.peer),
            note=_note(last.peer),
        ),
        *(_latency(pairs, who) for who in ("ours", "peer")),
    ]


def _latency(pairs: list[Pair], who: str) -> Figure:
    results = [getattr(pair, who) for pair in pairs]
    p50 = _median([result.p50_ms or 0.0 for result in results])
    return Figure(
        "conversation",
        f"{who}: p99 (closed loop)",
        _median([result.p99_ms or 0.0 for result in results]),
        "ms",
        note=f"p50 {p50:.1f} ms; in a closed loop every person waits on the bot, so latency"
        " is mostly queueing (people / rate): compare the open loop",
    )


def _open_figures(series: dict[float, Pair]) -> list[Figure]:
    rows = []
    at_target = series.get(P99_TARGET_RATE)
    if at_target is not None and at_target.ours.p99_ms is not None:
        rows.append(
            Figure(
                "conversation",
                f"open loop {P99_TARGET_RATE}/s: ours p99",
                at_target.ours.p99_ms,
                "ms",
                *at_most(at_target.ours.p99_ms, P99_TARGET_MS),
                note=f"peer p99 {at_target.peer.p99_ms} ms; see the open-loop table",
            )
        )
    return rows


def _open_table(series: dict[float, Pair], users: int) -> str:
    lines = [
        "## Open loop: ours beside the peer",
        "",
        "Updates arrive at random (Poisson) at the rate shown, whatever the bot is doing;"
        " latency runs from an update's arrival at the stand-in to the bot's last call for it."
        " CPU per update is the bot's, while measuring. ✗: not sustained (p99 ≥ 100 ms or"
        " fewer than 95% of the arrivals answered).",
        "",
        "| updates/s | ours p50 | ours p99 | ours CPU/update | peer p50 | peer p99 |"
        " peer CPU/update | CPU ours / peer |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rate, pair in series.items():
        ours, peer = pair.ours, pair.peer
        ratio = _cpu_ms(ours) / _cpu_ms(peer) if _cpu_ms(peer) else 0.0
        lines.append(
            f"| {rate:g} | {_ms(ours.p50_ms)} | {_ms(ours.p99_ms)}{_mark(ours)} |"
            f" {_cpu_ms(ours):.2f} ms | {_ms(peer.p50_ms)} | {_ms(peer.p99_ms)}{_mark(peer)} |"
            f" {_cpu_ms(peer):.2f} ms | {ratio:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _mark(result: ConversationResult) -> str:
    return "" if sustains(result) else " ✗"


def _context_figures(users: int, seconds: float, warmup: float, closed: list[Pair]) -> list[Figure]:
    """The echo floors (the framework alone) and where our CPU goes (a profiled run)."""
    echo = run("echo", users, seconds, warmup)
    shaped = run("echo", users, seconds, warmup, shape="guide")
    peer_aiohttp = run("peer", users, seconds, warmup, client="aiohttp")
    # On asyncio's loop: uvloop's, in C, is one opaque entry to cProfile, its idle waits in it.
    on_asyncio = ("-m", "benchmarks.levers", "undo:uvloop")
    profiled = run("guide", users, max(seconds / 2, 5), warmup, profile=True, command=on_asyncio)
    ours = closed[-1].ours
    ours_cpu = _median([_cpu_ms(pair.ours) for pair in closed])
    return [
        Figure(
            "conversation",
            "peer over our HTTP client (aiohttp): CPU per update",
            _cpu_ms(peer_aiohttp),
            "ms",
            note=_note(peer_aiohttp)
            + f"; {peer_aiohttp.turns_per_second:,.0f} updates/s; ours / this"
            f" {ours_cpu / _cpu_ms(peer_aiohttp) if _cpu_ms(peer_aiohttp) else 0:.2f}: what is"
            " left of the gap without the HTTP client, for context (the peer is measured on"
            " its defaults)",
        ),
        Figure(
            "conversation",
            "where our CPU goes (cProfile, a separate run)",
            _cpu_ms(ours),
            "ms",
            limits=_limits(profiled),
            note="profiling slows a run; its shares are read, not its rate; profiled on"
            " asyncio's loop (uvloop's, written in C, would hide the loop's share)",
        ),
        Figure(
            "conversation",
            f"echo floor (bare echo, {users} users): CPU per update",
            _cpu_ms(echo),
            "ms",
            note=_note(echo) + f"; {echo.turns_per_second:,.0f} updates/s: the framework alone,"
            " for context",
        ),
        Figure(
            "conversation",
            "echo sending what we send: CPU per update",
            _cpu_ms(shaped),
            "ms",
            note=_note(shaped) + f"; {shaped.turns_per_second:,.0f} updates/s; replies of our"
            " size, presses marked like ours, no logic: ours minus this is our own logic",
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
    ]


def _limits(result: ConversationResult) -> tuple[str, ...]:
    if not result.costs_by_package:
        return ()
    return (
        "CPU by package (cProfile, own time): " + ", ".join(result.costs_by_package),
        "top functions (own time): " + ", ".join(result.top_costs[:-1]),
        "where the event loop's time goes (cumulative): " + result.top_costs[-1],
    )


def _note(result: ConversationResult) -> str:
    return (
        f"{result.api_calls_per_turn} API calls per update; bot CPU {_cpu_ms(result):.2f} ms per"
        f" update ({result.bot_cpu_seconds / result.measured_seconds:.0%} of one core);"
        f" bot peak RSS {result.bot_peak_rss_mb} MB"
    )


def _cpu_ms(result: ConversationResult) -> float:
    """Bot CPU per update while measuring (in all the bot's threads)."""
    updates = result.turns_per_second * result.measured_seconds
    return round(result.bot_cpu_seconds * 1000 / updates, 2) if updates else 0.0
