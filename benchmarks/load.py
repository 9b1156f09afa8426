"""The load side of a benchmark, in its own process: the stand-in Bot API plus simulated
people. Closed loop (default): N people, each answering as soon as the bot has finished its
turn. Open loop (`--rate`): updates arrive at random (Poisson) moments at that mean rate,
whatever the bot is doing; each comes from a person not waiting for the bot (a new one when
everybody is waiting), so every person still answers the bot's last question.

Prints one JSON line with the counts and latencies when done. The latency of a turn is the
time from the update's arrival (the person sending it to the stand-in) to the bot's last
message of that turn arriving (for the guide and the peer: the message with buttons; for the
echo bot: the echo). The echo people press the echo's button every other turn, as guide
walkers do; the peer's people walk its 8 questions (benchmarks/peer_bot.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.scenarios import GUIDE_WALK, next_action, peer_action
from tests.standin_api import SentMessage, SimUser, StandInBotApi

FIRST_USER_ID = 100_000
LINGER_SECONDS = 60


@dataclass
class Person:
    user: SimUser
    turns: int = 0
    pending_update: int | None = None
    sent_at: float = 0.0
    last_prompt: SentMessage | None = None


@dataclass
class Load:
    api: StandInBotApi
    scenario: str
    people: dict[int, Person] = field(default_factory=dict)
    measuring: bool = False
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    arrived: int = 0  # updates sent while measuring
    idle: deque[Person] = field(default_factory=deque)  # open loop: people free to act
    open_loop: bool = False

    def begin(self, count: int, stride: int = 1, stagger: float = 0.0) -> None:
        """People start at random moments within `stagger` seconds, so that by the time
        measuring starts they are spread over the whole walk, not all at its first steps."""
        for offset in range(count):
            user = self.api.user(FIRST_USER_ID + offset * stride)
            self.people[user.id] = Person(user)
        self.api.listeners.append(self._on_message)
        chance = random.Random(8)
        loop = asyncio.get_running_loop()
        for person in self.people.values():
            loop.call_later(chance.uniform(0, stagger), self._act, person)

    def _on_message(self, message: SentMessage) -> None:
        person = self.people.get(message.chat_id)
        if person is None or person.pending_update is None:
            return
        if self.scenario in ("guide", "peer") and not message.reply_markup:
            return  # the turn goes on until its prompt (the message with buttons) arrives
        if self.measuring:
            self.latencies.append(time.monotonic() - person.sent_at)
            self.completed += 1
        person.last_prompt = message if message.reply_markup else person.last_prompt
        person.pending_update = None
        person.turns += 1
        if self.open_loop:
            self.idle.append(person)
            return
        # Answer on the next loop iteration, after the bot has its HTTP response.
        asyncio.get_running_loop().call_soon(self._act, person)

    async def arrive(self, rate: float, first_id: int) -> None:
        """Open loop: send updates at exponentially distributed intervals of mean 1/rate,
        each from a person not waiting for the bot; runs until cancelled."""
        self.open_loop = True
        self.api.listeners.append(self._on_message)
        chance = random.Random(20)
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += chance.expovariate(rate)
            delay = next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.idle:
                person = self.idle.popleft()
            else:
                user = self.api.user(first_id + len(self.people))
                person = self.people[user.id] = Person(user)
            self._act(person)

    def _act(self, person: Person) -> None:
        before = self.api.updates_pushed
        person.sent_at = time.monotonic()
        if self.measuring:
            self.arrived += 1
        if self.scenario == "peer":
            peer_action(person.last_prompt)(person.user, person.last_prompt, person.turns)
        elif self.scenario == "echo":
            # The guide walk's mix (benchmarks/scenarios.py): as many presses as typed messages.
            if person.last_prompt is not None and person.turns % 2:
                person.user.presses_data(person.last_prompt, person.last_prompt.buttons[0][1])
            else:
                person.user.says(f"你好 {person.turns}")
        else:
            next_action(GUIDE_WALK, person.last_prompt)(
                person.user, person.last_prompt, person.turns
            )
        person.pending_update = before + 1


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=["guide", "echo", "peer"], required=True)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rate", type=float, help="open loop: mean updates/s (Poisson)")
    parser.add_argument("--stride", type=int, default=1, help="spread user ids this far apart")
    parser.add_argument("--port-file", type=Path, required=True)
    arguments = parser.parse_args()

    api = StandInBotApi()
    await api.start()
    arguments.port_file.write_text(str(api.port))
    await api.wait_until(lambda: bool(api.calls_to("getUpdates")), timeout=60)
    api.calls.clear()  # keep memory flat: the driver needs messages, not the call log
    load = Load(api, arguments.scenario)
    arrivals = None
    if arguments.rate:
        arrivals = asyncio.create_task(load.arrive(arguments.rate, FIRST_USER_ID))
    else:
        load.begin(arguments.users, arguments.stride, stagger=arguments.warmup)
    await asyncio.sleep(arguments.warmup)
    _emit({"event": "measuring"})
    load.measuring = True
    api.calls.clear()
    started = time.monotonic()
    await asyncio.sleep(arguments.seconds)
    elapsed = time.monotonic() - started
    load.measuring = False
    if arrivals is not None:
        arrivals.cancel()
    methods = Counter(call.method for call in api.calls if call.method != "getUpdates")
    latencies = sorted(load.latencies)
    result = {
        "scenario": arguments.scenario,
        "users": len(load.people),
        "rate": arguments.rate,
        "arrived": load.arrived,
        "seconds": round(elapsed, 2),
        "turns": load.completed,
        "turns_per_second": round(load.completed / elapsed, 1),
        "p50_ms": _percentile_ms(latencies, 50),
        "p95_ms": _percentile_ms(latencies, 95),
        "p99_ms": _percentile_ms(latencies, 99),
        "api_calls_per_turn": round(sum(methods.values()) / max(load.completed, 1), 2),
        "api_calls": dict(methods),
    }
    _emit(result)
    # Keep answering until the benchmark has stopped the bot (then it interrupts us), so the
    # bot's last turns do not fail on a vanished server and pollute its profile.
    await asyncio.sleep(LINGER_SECONDS)
    await api.stop()


def _emit(message: dict[str, object]) -> None:
    """One JSON line to the benchmark that started us."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _percentile_ms(ordered: list[float], percentile: int) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))
    return round(ordered[index] * 1000, 1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
