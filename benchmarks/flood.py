"""Fairness under a flood: how long a bystander waits while 40 people each send 60 messages.

The stand-in Bot API limits each chat like Telegram (about one message a second, a small
burst; beyond it 429 with retry_after). The real bot process (`python -m bot`) polls it. 40
flooders push 60 messages each at once; a bystander then sends /debts again and again, each
after the previous answer, and the time from sending to the answer is measured (the same
without the flood is the baseline). Also counted: the flooders' messages answered, skipped
and the notices they got. Target: the bystander's worst wait under the flood < 1 s.

`python -m benchmarks.flood` runs it alone and prints the figures.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, at_most
from tests.bot_process import start_bot_process
from tests.standin_api import StandInBotApi

FLOODERS = 40
MESSAGES_EACH = 60
SAMPLES = 10
# A person reads the answer before asking again; within the chat's own limit.
PAUSE_SECONDS = 2.0
CHAT_LIMIT = (1.0, 3.0)  # per second, burst
BYSTANDER = 999_999
NOTICE = "跳过"


async def _bot(api: StandInBotApi, workdir: Path) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_PATH": str(workdir / "flood.sqlite3"),
        "LOG_LEVEL": "ERROR",
        "REMINDER_SCAN_SECONDS": "0",
    }
    return await start_bot_process(api, workdir, env)


async def _bystander_waits(api: StandInBotApi, samples: int) -> list[float]:
    person = api.user(BYSTANDER)
    waits = []
    for _ in range(samples):
        seen = len(person.messages)
        started = time.monotonic()
        person.says("/debts")
        await api.wait_until(
            lambda seen=seen: any(m.buttons for m in person.messages[seen:]), timeout=120
        )
        waits.append(time.monotonic() - started)
        await asyncio.sleep(PAUSE_SECONDS)
    return waits


async def measure() -> dict[str, float]:
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    api = StandInBotApi()
    await api.start()
    api.chat_limit = CHAT_LIMIT
    with tempfile.TemporaryDirectory() as folder:
        process = await _bot(api, Path(folder))
        try:
            await _bystander_waits(api, 2)  # warm: first imports, the first chart of nothing
            quiet = await _bystander_waits(api, SAMPLES)
            flooders = [api.user(100_000 + i) for i in range(FLOODERS)]
            for person in flooders:
                for n in range(MESSAGES_EACH):
                    person.says(f"第{n}条")
            flooded = await _bystander_waits(api, SAMPLES)
            if os.environ.get("FLOOD_DEBUG"):
                print("flooded waits", [round(w, 3) for w in flooded])
            await asyncio.sleep(2)
            notices = sum(sum(NOTICE in m.text for m in person.messages) for person in flooders)
            answered = sum(sum(bool(m.buttons) for m in person.messages) for person in flooders)
        finally:
            process.kill()
            await process.wait()
            await api.stop()
    return {
        "quiet_median": statistics.median(quiet),
        "flooded_median": statistics.median(flooded),
        "flooded_worst": max(flooded),
        "notices": notices,
        "flooder_turns_answered": answered,
    }


def figures(full: bool = False) -> list[Figure]:
    found = asyncio.run(measure())
    _, passed = at_most(found["flooded_worst"], 1.0)
    note = (
        f"{FLOODERS} people × {MESSAGES_EACH} messages at once, per-chat limit "
        f"{CHAT_LIMIT[0]:g}/s (burst {CHAT_LIMIT[1]:g}); bystander median "
        f"{found['flooded_median'] * 1000:.0f} ms under the flood, "
        f"{found['quiet_median'] * 1000:.0f} ms without; flooders got "
        f"{found['notices']:.0f} skip notices (one each expected) and "
        f"{found['flooder_turns_answered']:.0f} answered turns within the run"
    )
    return [
        Figure(
            "flood",
            "bystander's worst wait during a 40-person flood",
            round(found["flooded_worst"] * 1000, 1),
            "ms",
            "< 1,000",
            passed,
            note=note,
        )
    ]


if __name__ == "__main__":
    for figure in figures():
        print(f"{figure.name}: {figure.shown} ({figure.verdict})\n  {figure.note}")
