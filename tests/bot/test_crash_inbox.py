"""Killed again and again under faults, the bot answers every input once and applies it once.

The real bot process (`python -m bot`) polls the stand-in Bot API, which fails sends at random
(429 with retry_after, 500, 502, and 502 after the message was delivered — a timeout after
Telegram acted). Hundreds of scripted people each add debts (press add, type a name, press
save, /debts), one input at a time, waiting for the answer; the process is SIGKILLed at
random moments and restarted, repeatedly. Nobody resends anything after a kill: the inbox
must bring every input to an answer. Counted at the end:
- every input answered (a reply ending its turn) — unanswered ones are counted, must be 0;
- no input handled twice: no press answered twice, no debt saved twice (a person pressing a
  button again on a message that arrived twice is refused as stale: counted, not a failure);
- every debt the person saw confirmed is in the database;
- messages delivered twice, by why (Telegram's sendMessage has no idempotency key, so at
  least once means some): only the two inherent kinds are allowed, a send answered with a
  502 after the stand-in took it, and a send whose outbox row's deletion had not committed
  when the process was killed (a few per kill: the deletion goes before queued turn commits).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.bot_process import start_bot_process
from tests.conftest import Backend
from tests.standin_api import Chaos, SentMessage, SimUser, StandInBotApi

USERS = int(os.environ.get("CRASH_USERS", "200"))
DEBTS_EACH = 3  # enough inputs that the people are still busy at the last kill
KILLS = int(os.environ.get("CRASH_KILLS", "8"))
FAULT_RATE = 0.08
ANSWER_TIMEOUT = 45.0  # far beyond a restart plus the retries of a send
SEED = 20261206
STALE = "来自之前的消息"
SAVED = "已保存"
STARTING = 0.25
# Messages sent but not yet deleted from the outbox at a kill, sent again after the restart:
# 2-7 per kill measured (SQLite's group commit releases a group's replies together, so more are
# in flight than one turn's; 63 per kill when a deletion waited behind every queued turn commit).
IN_FLIGHT_PER_KILL = 10


@dataclass
class Person:
    """Adds DEBTS_EACH debts named U<id>-<n>, one input at a time, never resending."""

    user: SimUser
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    inputs: int = 0
    answered: int = 0
    unanswered: int = 0
    stale: int = 0
    confirmed: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)
    # Each message as it arrived (the bot later edits a pressed one): text, buttons.
    arrivals: list[tuple[str, str]] = field(default_factory=list)
    # Of each arrival: its message_id, and when it arrived (time.monotonic()).
    sent_by: list[tuple[int, float]] = field(default_factory=list)

    def saw(self, message: SentMessage) -> None:
        self.arrivals.append((message.source, json.dumps(message.reply_markup)))
        self.sent_by.append((message.message_id, time.monotonic()))
        self.arrived.set()

    async def run(self) -> None:
        await self._send(lambda: self.user.says("/start"))
        while len(self.confirmed) < DEBTS_EACH:
            last = self.user.last_with_buttons()
            labels = str(last.buttons)
            if "添加一笔债务" in labels:
                await self._send(lambda last=last: self.user.presses(last, "添加一笔债务"))
            elif "哪个平台" in last.text:
                name = f"U{self.user.id}-{len(self.confirmed) + 1}"
                self.typed.append(name)
                await self._send(lambda name=name: self.user.says(name))
            elif "先保存" in labels:
                await self._send(lambda last=last: self.user.presses(last, "先保存"))
                if any(SAVED in m.text for m in self.user.messages[self._sent_at :]):
                    self.confirmed.append(self.typed[-1])
            else:
                await self._send(lambda: self.user.says("/debts"))

    async def _send(self, act) -> None:
        self._sent_at = len(self.arrivals)
        self.arrived.clear()
        act()
        self.inputs += 1
        try:
            await asyncio.wait_for(self._turn_ended(self._sent_at), ANSWER_TIMEOUT)
        except TimeoutError:
            self.unanswered += 1
            raise
        self.answered += 1
        if any(STALE in m.text for m in self.user.messages[self._sent_at :]):
            self.stale += 1

    async def _turn_ended(self, seen: int) -> None:
        """Every turn ends with a message carrying buttons. A message arriving again right
        after itself (a send retried after Telegram had taken it) is the earlier turn's, not
        an answer: a person would not press its buttons a second time."""
        while True:
            arrivals = self.arrivals
            if any(
                buttons != "null" and arrivals[i - 1] != (text, buttons)
                for i, (text, buttons) in enumerate(arrivals[seen:], start=seen)
            ):
                return
            self.arrived.clear()
            await self.arrived.wait()

    def duplicates(
        self, accepted_then_failed: set[tuple[int, int]], started: list[float]
    ) -> Counter[str]:
        """Messages that arrived again right after themselves, by why: the first copy was
        answered with a 502 after the stand-in took it (`fault_after_delivery`), the copies
        came from two lives of the process (`across_a_kill`: sent, then killed before its
        outbox row's deletion was committed), or neither (`same_life`: a bug)."""
        found: Counter[str] = Counter()
        for i in range(1, len(self.arrivals)):
            if self.arrivals[i] != self.arrivals[i - 1]:
                continue
            (first, first_at), (_, again_at) = self.sent_by[i - 1], self.sent_by[i]
            life, again = life_at(first_at, started), life_at(again_at, started)
            if (self.user.id, first) in accepted_then_failed:
                found["fault_after_delivery"] += 1
            elif life < again:
                found["across_a_kill"] += 1
            else:
                found["same_life"] += 1
        return found


def life_at(moment: float, started: list[float]) -> int:
    """Which life of the process sent a message arriving at `moment`: a process cannot send
    within STARTING seconds of being started (imports alone take longer), so a message
    arriving sooner after a start is a request the killed one had already made."""
    return sum(1 for at in started if at + STARTING <= moment)


async def start_process(api: StandInBotApi, backend: Backend, workdir: Path):
    env = {
        "DATABASE_PATH": str(backend.path),
        "DATABASE_URL": backend.url or "",
        "LOG_LEVEL": "WARNING",
        "REMINDER_SCAN_SECONDS": "0",
    }
    return await start_bot_process(api, workdir, env)


async def stored_platforms(backend: Backend) -> dict[int, list[str]]:
    if backend.url is not None:  # PostgreSQL (tests/conftest.py)
        rows = [(row[0], row[2]) for row in await backend.rows("users")]  # user_id, state
        return {
            int(user_id): [d["platform"] for d in json.loads(state).get("debts", [])]
            for user_id, state in rows
        }
    connection = sqlite3.connect(f"file:{backend.path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute("SELECT user_id, state FROM users").fetchall()
    finally:
        connection.close()
    return {
        int(user_id): [d["platform"] for d in json.loads(state).get("debts", [])]
        for user_id, state in rows
    }


async def test_sigkill_under_random_faults_answers_every_input_once(
    api: StandInBotApi, tmp_path: Path, backend: Backend
):
    chance = random.Random(SEED)
    api.chaos = Chaos(FAULT_RATE, seed=SEED)
    people = {i: Person(api.user(70_000 + i)) for i in range(USERS)}
    by_chat = {p.user.id: p for p in people.values()}
    api.listeners.append(lambda m: by_chat[m.chat_id].saw(m) if m.chat_id in by_chat else None)

    started = [time.monotonic()]
    process = await start_process(api, backend, tmp_path)
    running = asyncio.gather(*(p.run() for p in people.values()), return_exceptions=True)
    kills = 0
    try:
        while kills < KILLS and not running.done():
            # Short gaps: the people must not finish before the last kill, however fast the
            # machine (each gap lets through only a fraction of their inputs).
            await asyncio.sleep(chance.uniform(0.2, 0.8))
            process.send_signal(signal.SIGKILL)
            await process.wait()
            kills += 1
            started.append(time.monotonic())
            process = await start_process(api, backend, tmp_path)
        outcomes = await running
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()

    failures = [o for o in outcomes if isinstance(o, BaseException)]
    # Each press is answered (answerCallbackQuery) by the turn handling it: twice = twice.
    answers = api.calls_to("answerCallbackQuery")
    stored = await stored_platforms(backend)
    inputs = sum(p.inputs for p in people.values())
    duplicates = sum(
        (p.duplicates(api.accepted_then_failed, started) for p in people.values()), Counter[str]()
    )
    counts = {
        "kills": kills,
        "people": USERS,
        "inputs": inputs,
        "answered": sum(p.answered for p in people.values()),
        "unanswered": sum(p.unanswered for p in people.values()),
        "presses_handled_twice": sum(
            n > 1 for n in Counter(c.params.get("callback_query_id") for c in answers).values()
        ),
        "second_presses_refused": sum(p.stale for p in people.values()),
        "debts_saved_twice": sum(len(v) - len(set(v)) for v in stored.values()),
        "confirmed_but_missing": sum(
            name not in stored.get(p.user.id, []) for p in people.values() for name in p.confirmed
        ),
        "messages_delivered_twice": sum(duplicates.values()),
        **{f"twice_{why}": n for why, n in sorted(duplicates.items())},
        "faults_injected": api.chaos.injected,
    }
    print("crash test:", json.dumps(counts))
    assert not failures, failures[:3]
    assert counts["unanswered"] == 0
    assert counts["answered"] == inputs
    assert counts["presses_handled_twice"] == 0
    assert counts["debts_saved_twice"] == 0
    assert counts["confirmed_but_missing"] == 0
    assert duplicates["same_life"] == 0, "a message sent twice by one process: a bug"
    assert duplicates["fault_after_delivery"] <= len(api.accepted_then_failed)
    assert duplicates["across_a_kill"] <= kills * IN_FLIGHT_PER_KILL
    assert kills == KILLS, "the people finished before every kill: make them do more"
    assert all(len(p.confirmed) == DEBTS_EACH for p in people.values())
