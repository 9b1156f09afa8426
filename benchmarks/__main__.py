"""`python -m benchmarks`: run every benchmark, print one table, write benchmarks/RESULTS.md.

Short runs by default (a few minutes); `--full` for longer, steadier figures. Each
benchmark module exposes `figures(full: bool) -> list[Figure | dict]`; the reminder scan
(benchmarks/reminders.py) and the plan (benchmarks/plan.py) are included when present.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.figures import Figure, coerce

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# In table order; optional modules written by other areas are shown as "not available".
BENCHMARKS = ("conversation", "levers", "core", "storage", "reminders", "plan", "flood", "workers")
OPTIONAL = {"reminders", "plan"}
LIBRARIES = (
    "python-telegram-bot",
    "aiohttp",
    "yarl",
    "multidict",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "sniffio",
    "aiosqlite",
    "pydantic",
    "tornado",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--full", action="store_true", help="longer runs, steadier figures")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma-separated subset of {BENCHMARKS}"
    )
    parser.add_argument("--users", type=int, default=200, help="conversation: simulated people")
    parser.add_argument("--seconds", type=float, help="conversation: measured seconds per run")
    parser.add_argument(
        "--repetitions", type=int, help="conversation: closed-loop runs of each bot (default 3)"
    )
    parser.add_argument(
        "--rates",
        help="conversation: open-loop updates/s, comma-separated (default 20,50,100,200,400)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    arguments = parser.parse_args(argv)
    chosen = [name.strip() for name in arguments.only.split(",") if name.strip()]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = datetime.now(UTC)
    load_before = os.getloadavg()
    rows: list[Figure] = []
    extra: list[str] = []
    for name in chosen:
        print(f"running {name}…", file=sys.stderr, flush=True)
        began = time.monotonic()
        rows.extend(_run(name, arguments))
        extra.extend(_sections(name))
        print(f"  {name}: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    print(table(rows))
    if not arguments.no_write:
        RESULTS.write_text(
            results_markdown(rows, started, load_before, load_after, arguments, extra)
        )
        print(f"\nwritten {RESULTS.relative_to(Path.cwd()) if _under_cwd(RESULTS) else RESULTS}")
    return 0


def _run(name: str, arguments: argparse.Namespace) -> list[Figure]:
    """One benchmark's figures; a missing optional module or a failure becomes a row saying so."""
    if name in OPTIONAL and importlib.util.find_spec(f"benchmarks.{name}") is None:
        return [
            Figure(name, "not available", None, note=f"benchmarks/{name}.py is not written yet")
        ]
    try:
        module = importlib.import_module(f"benchmarks.{name}")
        produce: Callable[..., list[object]] | None = getattr(module, "figures", None)
        if produce is None:
            return [
                Figure(name, "not available", None, note=f"benchmarks/{name}.py has no figures()")
            ]
        if name == "conversation":
            rates = arguments.rates and tuple(float(r) for r in arguments.rates.split(","))
            found = produce(
                arguments.full,
                users=arguments.users,
                seconds=arguments.seconds,
                repetitions=arguments.repetitions,
                **({"rates": rates} if rates else {}),
            )
        else:
            found = produce(arguments.full)
        return [coerce(row) for row in found]  # type: ignore[arg-type]
    except Exception as error:
        traceback.print_exc()
        return [Figure(name, "failed", None, note=f"{type(error).__name__}: {error}")]


def _sections(name: str) -> list[str]:
    """Extra Markdown a benchmark module wrote for RESULTS.md (e.g. the open-loop table)."""
    module = sys.modules.get(f"benchmarks.{name}")
    produce: Callable[[], list[str]] | None = getattr(module, "sections", None)
    return produce() if produce is not None else []


def table(rows: list[Figure]) -> str:
    header = ("benchmark", "figure", "measured", "target", "result")
    lines = [(r.benchmark, r.name, r.shown, r.target or "—", r.verdict) for r in rows]
    widths = [max(_width(cell) for cell in column) for column in zip(header, *lines, strict=False)]
    rendered = [_row(header, widths), _row(tuple("-" * w for w in widths), widths)]
    rendered.extend(_row(line, widths) for line in lines)
    return "\n".join(rendered)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(
        cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
    )


def _width(cell: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if "\u2e80" <= character <= "\ufaff" else 1 for character in cell)


def results_markdown(
    rows: list[Figure],
    started: datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    arguments: argparse.Namespace,
    sections: Sequence[str] = (),
) -> str:
    command = "python -m benchmarks" + (" --full" if arguments.full else "")
    parts = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC. Do not edit by hand: run it"
        " again. The stand-in Bot API and the simulated people run in their own process on the"
        " same machine, so they share its cores with the bot.",
        "",
        "## Machine",
        "",
        *(f"- {line}" for line in machine_description()),
        f"- load average (1, 5, 15 min) before: {_load(load_before)}; after: {_load(load_after)}"
        " — anything else running makes the figures lower"
        + (
            f". **A loaded machine** (load above its {os.cpu_count()} cores): absolute figures"
            " are low and noisy; read the ratios (ours and the peer measured alternately, under"
            " the same load)"
            if max(load_before[0], load_after[0]) > (os.cpu_count() or 1)
            else ""
        ),
        "",
        "## How to read it",
        "",
        "The conversation rows put our bot beside the **peer** (benchmarks/peer_bot.py): the bot"
        " most people would write for this job, python-telegram-bot's ConversationHandler with 8"
        " states and PicklePersistence on the library's defaults, making the same kind of API"
        " calls per update against the same stand-in. Both run in the same `python -m"
        " benchmarks`, alternately, several times; a ratio is ours / peer, the median of the"
        " repetitions' ratios. **CPU per update, ours / peer** is the steadiest figure (CPU time"
        " is what other work on the machine disturbs least): 0.5 means our bot does a turn on"
        " half the CPU the typical bot needs. updates/s and latency ratios depend on how much"
        " of the machine each bot got. The open-loop table sends updates at fixed mean rates"
        " whatever the bot does (as people do), so its p99 shows queueing a closed loop hides."
        " The levers rows show what each change bought: our bot against itself with that one"
        " change undone, in the same run.",
        "",
        "## Results",
        "",
        "| benchmark | figure | measured | target | result |",
        "|---|---|---|---|---|",
        *(
            f"| {r.benchmark} | {r.name} | {r.shown} | {r.target or '—'} | {r.verdict} |"
            for r in rows
        ),
        "",
        *sections,
        "## What limits each figure",
        "",
    ]
    for row in rows:
        if not row.limits and not row.note:
            continue
        parts.append(f"**{row.benchmark}: {row.name}** — {row.shown}")
        parts.append("")
        parts.extend(f"- {limit}" for limit in row.limits)
        if row.note:
            parts.append(f"- {row.note}")
        parts.append("")
    parts.extend(FINDINGS)
    return "\n".join(parts) + "\n"


def machine_description() -> list[str]:
    return [
        f"CPU: {_cpu_model()}, {os.cpu_count()} cores"
        f" ({len(os.sched_getaffinity(0))} usable by this process)",
        f"RAM: {_memory_gb():.1f} GB",
        f"OS: {platform.system()} {platform.release()}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        "libraries: " + ", ".join(f"{name} {_version(name)}" for name in LIBRARIES),
    ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _load(average: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in average)


def _under_cwd(path: Path) -> bool:
    return path.is_relative_to(Path.cwd())


# Kept across runs: what earlier profiling changed or ruled out, so nobody undoes or redoes it.
FINDINGS = [
    "## Findings kept from earlier runs",
    "",
    "- Bot API requests go over aiohttp (bot/http.py), not python-telegram-bot's default httpx:"
    " on an idle machine the bare echo went from ~295 to ~1,500 updates/s and our walk of step 1"
    " from ~165 to ~550 (bot CPU per update ~5 ms → ~1.6 ms). httpx + httpcore + anyio were"
    " more than half of the bot's CPU, most of it httpcore managing its connection pool.",
    "- Request bodies are JSON, not URL-encoded forms: encoding Chinese text byte by byte with"
    " urllib cost ~10% of CPU per update.",
    "- With httpx, 8 pooled connections beat 32 and 256 (httpcore scans its whole pool on every"
    " request). With aiohttp the pool size matters little (8, 32 and 100 within noise; larger"
    " was at most ~10% cheaper per update); the default stays 8.",
    "- Without `sniffio` installed, httpcore retried a failing import on every request (a"
    " quarter of the echo bot's CPU); it stays declared, as httpx is still installed with"
    " python-telegram-bot (its default client, and the echo-over-httpx comparison).",
    "- uvloop instead of asyncio's loop: ~9% less CPU per update (echo and guide, 2026-11-25);"
    " adopted on 2026-12-06 (bot/loop.py; asyncio's loop where uvloop is missing), see the lever"
    " `uvloop`.",
    "- A button press costs three API calls: answerCallbackQuery (stops the spinner),"
    " editMessageText (marks the pressed message with the choice and removes its buttons) and"
    " sendMessage (the next prompt). Dropping the mark would save ~0.3 ms per press but leave"
    " old buttons pressable and the chat without the user's answers; kept deliberately.",
    "- The bot is one asyncio process: it can use one core, and shares the machine with the"
    " load process here. Its ceiling on a free core is 1,000 / (bot CPU per update in ms)"
    " updates/s. 1,000/s needs ≤ 1 ms per update or a second process (webhook workers split by"
    " user).",
    "- The plan chart costs ~2 ms of CPU per drawing (Pillow, one at a time in a worker thread"
    " of the bot). With matplotlib it cost ~85-120 ms in a process of its own: over half of"
    " the bot's CPU in the full walk (one chart per lap of ~45 turns), and ~55 MB more.",
    "- Where our CPU per update goes (compare the rows above): the bare echo is the framework's"
    " floor; the echo sending what we send adds what our traffic costs the framework (bigger"
    " messages and keyboards parsed back from every response, the mark on pressed messages);"
    " our turn alone (flows, storage, rendering) is a fraction of a millisecond; the rest is"
    " the shell around it and aiosqlite's thread hand-offs under load (`put_nowait` and the"
    " GIL between the event loop and the database thread).",
    "- python-telegram-bot turned every response into a `Message` object (`Message.de_json`,"
    " ~15% of CPU) that the bot never reads, and built keyboard objects for every reply:"
    " replies, press answers and marks now go through the public `Bot.do_api_request` as plain"
    " JSON (bot/api.py); see the lever `plain_sends` for what it bought. Photos and documents"
    " still use the typed methods (rare, and they upload files).",
    "- Each statement of a save was a hand-off to aiosqlite's thread (BEGIN, the upsert, the"
    " schedule read, COMMIT: ~4-6 per save, each a queue put, a wake-up and the GIL changing"
    " threads); the whole transaction is now one function on that thread, and since the inbox a"
    " turn's commit (inbox mark, state, schedule, outbox rows) is too, its replies sent from"
    " memory (lever `turn_from_memory`; it replaced the save-only lever `one_db_handoff`).",
    "- The target used to be 0.7 × a bare echo bot, impossible by construction (2026-11-25: an"
    " echo making our calls, with no logic, reached only 0.66-0.71 of the bare echo). The"
    " yardstick is now the peer (benchmarks/peer_bot.py): the bot most people would write for"
    " this job on python-telegram-bot's defaults, measured in the same run.",
    "- The peer on its defaults uses httpx, PTB's default client; much of the gap to it is the"
    " HTTP client (compare 'peer over our HTTP client'). That is a real part of what this bot"
    " does better, but the peer also does less per turn: no legal checks, no APR, no durable"
    " save before replying (PicklePersistence writes every 60 s: a crash loses up to a minute"
    " of answers).",
    "- A button press still costs three API calls (answer, mark, next question): none can go"
    " without the user seeing a difference (the spinner, the old buttons still pressable, the"
    " answer missing from the chat).",
    "- Not adopted, measured as an experiment beside the bot (benchmarks/levers.py): a"
    " turn's load and save through the synchronous sqlite3 module on the loop's thread (no"
    " hand-off at all; it would block the loop whenever another connection holds the write"
    " lock, and bot/storage/sqlite.py is being reshaped by issues 17 and 18: decide it there).",
    "- Why ≥ 1,000 updates/s is out of reach on this machine: one process is capped at"
    " 1,000 / (CPU ms per update), and the stand-in and the simulated people share the same two"
    " cores. 1,000/s needs ≤ 1 ms per update or a second bot process (webhook workers split by"
    " user id).",
    "- Several workers on PostgreSQL (`--only workers`, 2026-12-06, 100 people walking the "
    "guide, 10 s measured, a machine shared with other work: load average 5-7 on 2 cores, "
    "so every figure is low and noisy; the SQLite process gave 114-229 updates/s in runs "
    "minutes apart). One run: SQLite one process 114 updates/s, p99 1.3 s, 3.7 ms CPU per "
    "update; PostgreSQL with one receiver and 1 / 2 / 4 workers 81 / 61 / 93 updates/s, p99 "
    "1.6 / 2.1 / 1.9 s; CPU per update: workers 4.1 / 4.7 / 5.7 ms, receiver ~1.3 ms, "
    "PostgreSQL ~1.6-2.0 ms, load generator ~1.3-1.8 ms. Targets not met: PostgreSQL 1 "
    "worker / SQLite 0.71 (target ≥ 0.8), worker CPU at 4 workers / 1 worker 1.40 (target < "
    "1.15). On 2 cores the receiver, PostgreSQL and the load generator already take ~4.5 ms "
    "of CPU per update beside the workers, so more workers cannot add throughput here; the "
    "tax grows with workers that poll the inbox and try user locks other workers hold. "
    "Fixed on the way: a worker kept a user who answered at once (p99 10.5 s at 1 worker); "
    "one update per take, users oldest-pending first: 1.6 s. Not yet tried: a claim by `FOR "
    "UPDATE SKIP LOCKED` instead of try-locks, handing the receiver's parsed update to the "
    "worker without a JSON round trip.",
    "- Where the open-loop latency comes from (2026-12-06, after the inbox and outbox; timings"
    " taken inside the bot at 50 / 100 / 200 updates/s, load average 5-8 on 2 cores): not the"
    " bot's CPU (27% / 31% / 44% of one core while answering 50 / 83 / 130 updates/s) but the"
    " database's write lock (WriteTurns in bot/storage/sqlite.py). Writes run one at a time"
    " and each holds the lock across every hand-off to aiosqlite's thread and back through a"
    " busy event loop (mean hold 2-4 ms, p99 20-35 ms); an update makes ~2.8 writes (the"
    " turn's commit with several hand-offs inside, each delivered message's outbox deletion,"
    " a share of the polled batch's inbox store). At 100/s that is ~11 ms of lock per update"
    " for 10 ms between arrivals: the lock wait (p50 1.7 s) is the latency, and updates then"
    " also wait for the 512 shared slots. The cProfile run agrees: ~11 hand-offs per update,"
    " `SimpleQueue.put_nowait` and `socket.send` (the GIL passing to the database thread) the"
    " largest own-time entries. Next: fewer writes per update and one hand-off per write (the"
    " one-hand-off commit, delivery from memory), then writes waiting on the lock done as one"
    " transaction (group commit). Measured there, p99 < 50 ms at 200/s becomes a CPU question.",
    "- Fairness under a flood (benchmarks/flood.py, `python -m benchmarks.flood`; 2026-12-06,"
    " a loaded 2-core machine, load average 4-9): 40 people each sending 60 messages at once,"
    " the stand-in limiting each chat like Telegram (1 message/s, burst 3, then 429 with "
    "retry_after). A bystander's /debts was answered in 7-14 ms median and **852 ms worst** "
    "under the flood (8-14 ms median without it); issue 17 measured 76 s before the per-user "
    "cap moved to arrival and a user's waiting updates stopped holding shared slots. Each "
    "flooder got exactly one notice that extra messages were skipped (40 of 40), delivered "
    "within their chat's limit. The worst is always the first sample (then 4-46 ms): the "
    "bystander's update sits behind the flood's 2,400 in Telegram's queue, and polling stores"
    " each fetched batch in the inbox before fetching the next. Batching those writes alone "
    "made it worse (1.4-1.9 s, against 0.83 s with one write per update): each batch waited "
    "behind the flood's queued turn commits; giving the inbox write the first turn at the "
    "database (WriteTurns in bot/storage.py) brought it to 0.85 s. On a quiet machine "
    "(2026-12-06 evening, load average ~1, the full runs above): 785 ms and 735 ms worst, "
    "under the 1 s target; on the loaded machine earlier the same day 1.2-2.7 s.",
    "- What the durable inbox and outbox cost (2026-12-06, back to back on the same loaded "
    "machine, `--only conversation`): bot CPU per update for the guide walk 3.45-3.6 ms "
    "against 2.85 ms just before them (echo floor 0.83-0.92 ms in all runs), i.e. ~+20-25%; "
    "169-208 updates/s against 239. Per turn the bot now makes more aiosqlite round trips: "
    "the turn's commit also marks its inbox row and inserts its messages into the outbox, "
    "then the outbox is read and its delivered rows deleted (one write per turn); each polled"
    " batch is one more write. Storing updates as Telegram sent them instead of "
    "`Update.to_json` made no measurable difference. Done since (lever `turn_from_memory`, "
    "same run alternating, load average ~5): a turn's commit is one hand-off to the database "
    "thread and its messages are sent from memory with the ids the commit returned: 2.92 → "
    "2.42 ms per update (-17%); `--only conversation` right after: ours 2.35 ms, peer 5.71 ms"
    " (0.41). Outbox deletions are folded into one write only while one waits (above), not "
    "into the next commit: that would lengthen the window in which a kill re-sends delivered "
    "messages.",
    "- Crash test (tests/bot/test_crash_inbox.py, in the suite, ~30-40 s per backend; "
    "2026-12-06, load average 3-5): the real bot process, the stand-in failing 8% of sends at"
    " random (429, 500, 502, and 502 after the message was delivered), 200 scripted people "
    "adding 2 debts each, SIGKILLed 8 times at random moments: 1,800-1,990 inputs, all "
    "answered, 0 unanswered, 0 presses handled twice, 0 debts saved twice, 0 confirmed debts "
    "missing. Messages delivered twice, classified per duplicate and asserted: SQLite 80-92 ="
    " 63-64 after a 502 that followed delivery (inherent: sendMessage has no idempotency key)"
    " + 16-29 across a kill (sent, then killed before the outbox row's deletion committed) + "
    "0 within one process life; PostgreSQL 86-87 = 63 + 23-24 + 0. It was 585-870 (507 across"
    " kills, ~63 per kill): on SQLite each delivered message's deletion waited behind every "
    "queued turn commit, so at a kill dozens of delivered messages were still in the outbox; "
    "deletions now go ahead of queued commits (first in WriteTurns) and join into one write "
    "while one waits. The test asserts 0 within a life, at most one per 502-after-delivery, "
    "at most 10 per kill.",
    "- Group commit (h28, 2026-12-06 late, load average 3-5, same runs alternating): turns "
    "waiting for SQLite's write lock commit together, one transaction and one hand-off to "
    "aiosqlite's thread per group of up to 4 (MAX_GROUP in bot/storage/sqlite.py), each turn "
    "in a savepoint (a failing turn is rolled back alone and committed on its own after the "
    "group, a later turn of the same user in the group waits for it): lever `group_commit` "
    "0.81 then 0.72 (2.38 → 1.72 ms per update). Delivered messages' outbox deletions ride "
    "with the group waiting or running, committed before its next turn (never behind the whole"
    " group): lever `deletions_folded` 0.93 then 0.96. The same two runs: ours / peer 0.43 and"
    " 0.43 (ours 1.73 / 1.67 ms, peer 3.99 / 3.85 ms); open loop 200/s p99 62.5 ms (sustained"
    " 200/s) then 256 ms on a busier machine (the peer's p50 there was 2.6 s); on a quiet "
    "machine (load average 1.3, one repetition, rates 100 and 200) ours 2.01 ms / peer 3.45 "
    "ms = 0.58, open loop 200/s p99 93.9 ms (peer 99.0 ms): the tail at 200/s is not the "
    "write lock alone. Crash test, "
    "SQLite, messages re-sent across a kill (8 kills): before 9-49 (7 runs, mean 26), with "
    "groups of up to 4 22-51 (4 runs: 22, 31, 34, 51), of up to 16 28-82 (82 fails the "
    "bound of 80). A "
    "deletion waits for at most one turn of a running group, but its caller hears of it only "
    "when the group ends: from a send's return to its deletion's, p50 3.5 ms / mean 7.9 ms "
    "before, 4.6-6.3 / 8.9-12.6 ms with groups of 16 (3 crash runs, timed inside the bot); "
    "and a group releases its turns' replies in a burst, so more are in flight at a kill. "
    "Hence the cap of 4.",
    "- Workers' round trips and tax (h24, 2026-12-06, 100 people walking the guide, 8 s "
    "measured, load average 6-9 on 2 cores shared with three other developers; the same ad-"
    "hoc harness as `benchmarks/workers.py`, before and after back to back). Levers: the "
    "candidate query skips users whose lock another process holds (pg_locks) and asks for "
    "only as many as free slots; a turn's inbox mark, state upsert and replies are one "
    "statement (6 round trips → 4, or 1 when the state did not change); a worker re-reads the"
    " inbox after a turn only when more may wait (NOTIFY otherwise). Worker CPU per update, 1"
    " → 4 workers: before 5.0 → 7.2 and 5.0 → 7.9 ms (1.43×, 1.58×); after 5.7 → 6.0, 3.8 → "
    "4.9, 5.0 → 6.6 ms (1.05×, 1.28×, 1.32×) — lower, the < 1.15 target met in one run of "
    "three, too noisy here to claim. PostgreSQL 1 worker / SQLite: 0.40 before, 0.42-0.46 "
    "after (target 0.8 not met here): on a saturated 2-core machine updates/s follows the "
    "total CPU per update, and the PostgreSQL path spends receiver ~1.5-2 ms + worker ~4-5 ms"
    " + PostgreSQL ~1.6-2.2 ms against SQLite's one process at ~3.6-3.9 ms; the target needs "
    "free cores to be measured. On a quiet machine (2026-12-06 evening, the full runs above, "
    "`workers` rows): PostgreSQL 1 worker / SQLite 0.87 and 1.09 (target ≥ 0.8: met); 1 / 2 /"
    " 4 workers 315 / 334 / 341 and 346 / 348 / 346 updates/s (the load generator, the "
    "receiver and PostgreSQL share the two cores); worker CPU per update at 4 workers / 1 "
    "worker 1.33 and 1.48 (target < 1.15: not met; four workers on two cores beside "
    "PostgreSQL, a receiver and the load generator are oversubscribed, so part of it is "
    "scheduling, not locks or polling — to be measured where cores are free, or by counting "
    "round trips and wake-ups per update).",
    "- Workers' contention tax, counted (h27, 2026-12-06, `--only workers`, load average 4-8 on"
    " 2 cores shared with other developers; counts per update, all workers, from the workers"
    " themselves). Before: every NOTIFY woke every worker, and each ran a claim; at 120"
    " updates/s open loop, 1 → 4 workers: NOTIFYs received 0.59 → 2.57 per update, claims 0.08"
    " → 2.32 (1.59 took nobody), lock attempts 0.99 → 2.03 (1.03 lost to another worker),"
    " dispatch round trips 3.04 → 6.34; closed loop 3.07 → 4.75 (1.61 locks lost). Now each"
    " user is preferred for one live worker (listed from pg_stat_activity; the update NOTIFYs"
    " its user's bucket's channel and only that worker LISTENs to it; a grace hands a waiting"
    " user to the next worker, later to any): NOTIFYs 0.97 → 0.95, locks lost 0.00, claims"
    " that found nothing ≤ 0.03, round trips 3.06 → 3.46 open loop and 3.08 → 3.18 closed."
    " Worker CPU per update still rises on this machine (open loop 2.51 → 3.22 ms, 1.28×; closed"
    " 2.12 → 3.40 ms), but not from contention: one worker alone at 30 updates/s (the load each"
    " of four gets at 120) spent 3.44 and 4.27 ms per update in two runs, more than four at 120"
    " (3.28, 3.22 ms): a process handling fewer updates at once pays more per update (fewer"
    " share each wake-up of its loop), and one worker at 120/s on a loaded machine falls behind"
    " (p99 2-3 s) and batches. Read the counts and the same-load row, not the 1 → 4 ratio.",
    "- On a quiet machine (2026-12-06, load average 0.9-1.4, after uvloop, before the one-hand-off"
    " commit and delivery from memory): CPU per update ours 3.17 ms, the peer 3.51 ms: 0.85,"
    " not the 0.45-0.64 measured under load the same day; the peer's CPU per update grows with"
    " the machine's load far more than ours (3.5 → 5.8-6.9 ms; ours 3.2 → 3.3-3.6 ms), so a"
    " ratio from a loaded run flatters us: read the ratio from a quiet run.",
    "- Our own getUpdates loop instead of python-telegram-bot's Updater (parsing each response"
    " once, no retry-loop machinery) was built and measured as a lever: 1.04 and 1.05 × the CPU"
    " per update of the Updater in two quiet runs, no gain. It was taken out again (2026-12-06):"
    " one polling path, the one the end-to-end tests drive.",
    "- What limited it on 2026-12-06 evening (two quiet runs, before reading updates as JSON"
    " and group commit): ours 2.35 / 2.57 ms of CPU per update against the peer's 3.63 / 4.39"
    " ms, i.e. 0.63 / 0.62; open loop 200/s p99 89 / 39 ms. The event loop's time then: "
    "sending ~19%, getUpdates and building PTB's Update objects ~16%, delivery from the "
    "outbox ~13%, flows/ ~10%. The three levers it named were built next (`raw_updates`, "
    "`deletions_folded`, `group_commit`).",
    "- Updates read as JSON (2026-12-06 late, lever `raw_updates`, bot/updates.py): the "
    "handler takes the update as Telegram sent it; no Update object is built and the "
    "getUpdates response is parsed once. On a loaded machine (load average 3-7, so ratios "
    "only within one run): the lever 0.78 (4 repetitions: without 2.17 ms, with 1.69 ms) "
    "and 0.95 (2 repetitions); `--only conversation` twice: ours 2.06 / 2.16 ms against "
    "the peer's 3.87 / 4.66 ms, i.e. 0.49 / 0.49. A loaded machine flatters the ratio "
    "(0.85 quiet against 0.45-0.64 loaded before): read it again on a quiet one. What is "
    "left of getUpdates is mostly the inbox store before it; the rest of the loop's time is "
    "asyncio, aiohttp and aiosqlite's hand-offs, not python-telegram-bot's dispatch (<1%).",
    "- What limits it now (2026-12-07, one run on a quiet machine, load average ~1, after "
    "reading updates as JSON and SQLite group commit; this file's rows): ours 1.62 ms of CPU "
    "per update against the peer's 4.20 ms, i.e. 0.42 (0.46, 0.42, 0.39 per repetition; the "
    "target 0.5 met in each); closed loop 600 against 211 updates/s; open loop 200/s p99 "
    "42.9 ms (the peer's 52.9 ms), and 300 updates/s sustained with p99 under 100 ms. One "
    "quiet run: read the next runs beside it (the open-loop p99 at 200/s moved from 89 to 39 "
    "ms between two quiet runs before). Levers in this run: turn_from_memory 0.55, "
    "group_commit 0.64, gc_freeze 0.82, uvloop 0.84, plain_sends 0.85, deletions_folded 0.90,"
    " raw_updates 0.92 (2 repetitions each: ±0.1). The echo sending what we send costs 1.03 "
    "ms, so what is ours is now ~0.6 ms per update. The event loop's time (cProfile): sending"
    " replies, press answers and marks 25%, delivery from the outbox 17%, flows/ 14%, "
    "getUpdates and the inbox store before it 6%, load and commit 3% each; by package "
    "aiohttp 20%, asyncio 17%. Next: the sends themselves (aiohttp's request path; a button "
    "press is three calls, none of which the user could miss).",
    "- Workers on a quiet machine after SQLite's group commit (2026-12-07, this file's rows): "
    "SQLite in one process doubled (316-346 → 652 updates/s) while PostgreSQL with one worker "
    "stayed at 351, so PostgreSQL 1 worker / SQLite fell to 0.54 (0.87 / 1.09 before; target "
    "≥ 0.8 not met again). The PostgreSQL path spends, per update, worker 2.1 ms + receiver "
    "0.6 ms + PostgreSQL 1.3 ms against SQLite's one process at 1.5 ms, on the same two cores "
    "as the load generator; group commit and the raw-JSON turn have not been carried over to "
    "PostgreSQL's commit (one statement per turn, one by one). Contention: round trips per "
    "update 3.06 / 3.12 / 3.28 at 1 / 2 / 4 workers, no locks lost, no claims or wake-ups "
    "that found nothing; worker CPU per update at 4 / 1 workers 1.07 at 120 updates/s open "
    "loop (cores to spare), 0.90 against one worker at the same load per process (30/s), and "
    "1.33 closed loop (saturated, four workers on two cores beside PostgreSQL, a receiver and "
    "the load generator).",
    "- PostgreSQL's hot path as PL/pgSQL functions (2026-12-07, issue 18; py-spy and "
    "pg_stat_statements on runs of the workers benchmark, then this file's rows from a quiet "
    "run). A worker's turn was ~10 round trips (lock, read the update, load the state, BEGIN, "
    "the turn, read the schedule, COMMIT, read the outbox, delete each delivered reply, "
    "unlock), each ~0.1 ms of asyncpg CPU (half of it the pool's acquire and release) plus "
    "PostgreSQL's own; asyncpg's execute was a third of the worker's CPU. Now three calls of "
    "bot/storage/pg_functions.py on the connection holding the user's lock: take (lock, owed "
    "replies, oldest update, state), turn (inbox row, state, replies, schedule rule), release "
    "(last reply's deletion, unlock); replies sent from memory when the take saw the outbox "
    "empty; the receiver's capped batch one call. Planning was half of the functions' server "
    "time: they use generic plans. A release that committed its deletion inside a procedure "
    "(CALL with COMMIT) re-planned its DELETE on every call, 0.28 ms a call; a function whose "
    "deletion commits after the unlock, the next take locking the outbox rows, 0.12 ms. "
    "Polling processes on PostgreSQL wait 20 ms after a batch (RECEIVER_BATCH_SECONDS): ~6 "
    "updates per inbox write instead of 1-2. Per update, one worker: worker 2.1 → 1.5 ms, "
    "receiver 0.6 → 0.12 ms, PostgreSQL 1.3 → 0.9 ms. PostgreSQL 1 worker / SQLite 0.54 → "
    "0.82, the median of three pairs run back to back (0.68, 0.88, 0.82): this machine's "
    "speed drifts by a quarter within minutes (the same SQLite code gave 432-569 updates/s in "
    "back-to-back runs), so the ratio is read within pairs. One process receiving and "
    "handling on PostgreSQL reached only 0.59 (worker CPU 2.2 ms per update against 1.5 + "
    "0.12 split; PostgreSQL and the load generator busier too, as if its batches were "
    "smaller), not investigated further; run a receiver and workers apart. Contention: round "
    "trips per update 2.04 / 2.08 / 2.27 at 1 / 2 / 4 workers, no lock lost; the target is "
    "read at the same load per process (four at 120/s against one at 30/s: 1.01); at the same "
    "total rate 1.52 and closed loop 1.55, because a process handling a quarter of the rate "
    "pays more per update (one worker: 2.55 ms at 120/s, 3.83 ms at 30/s), with or without "
    "others.",
]


if __name__ == "__main__":
    sys.exit(main())
