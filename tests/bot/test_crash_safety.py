"""Killed at any moment, the bot keeps every input it had confirmed.

The bot runs as a real process (`python -m bot`) against the stand-in. A scripted user keeps
answering; the process is killed with SIGKILL at random points, more than 50 times, and
restarted. After each kill the database must hold every input the bot had confirmed (by
replying to it) — and at most the one input that followed, if it was saved but not yet
answered — and SQLite must report itself intact. On SQLite and on PostgreSQL (the `backend`
fixture of tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import sqlite3
from pathlib import Path

import asyncpg

from tests.bot_process import start_bot_process
from tests.conftest import Backend
from tests.standin_api import SimUser, StandInBotApi

KILLS = 55
USER_ID = 4242


async def platform_number(backend: Backend) -> int | None:
    if backend.url is None:
        connection = sqlite3.connect(f"file:{backend.path}?mode=ro", uri=True)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            row = connection.execute(
                "SELECT state FROM users WHERE user_id = ?", (USER_ID,)
            ).fetchone()
        finally:
            connection.close()
    else:
        pg = await asyncpg.connect(backend.url)
        try:
            row = await pg.fetchrow("SELECT state::text FROM users WHERE user_id = $1", USER_ID)
        finally:
            await pg.close()
    if row is None:
        return None
    platform = json.loads(row[0])["position"]["draft"].get("platform")
    return int(platform.removeprefix("平台")) if platform else None


class ScriptedUser:
    """Answers whatever the bot asks; types 平台1, 平台2, … at the platform question."""

    def __init__(self, api: StandInBotApi, user: SimUser) -> None:
        self.api = api
        self.user = user
        self.confirmed = 0  # the last platform number the bot answered
        self.pending: int | None = None  # typed, not yet answered

    async def run(self) -> None:
        """One life of the bot. It starts with /start, as a person would after a silence: what
        they saw last may be out of date (an update of theirs may still be re-delivered)."""
        resync = True
        while True:
            seen = len(self.user.messages)
            if resync:
                self.user.says("/start")
                # Replies to updates resumed from before the kill may come first: what counts
                # is the answer to this /start.
                await self.api.wait_until(lambda seen=seen: self._greeted(seen), timeout=30)
                resync = False
                continue
            self._act()
            await self.api.wait_until(lambda seen=seen: self._answered(seen), timeout=30)
            if self.pending is not None and "逾期的主要原因" in self.user.last.text:
                self.confirmed, self.pending = self.pending, None

    def _greeted(self, seen: int) -> bool:
        greetings = [
            i
            for i, m in enumerate(self.user.messages[seen:], start=seen)
            if "欢迎回来" in m.text or "逾期不慌" in m.text
        ]
        return bool(greetings) and self._answered(greetings[-1])

    def _answered(self, seen: int) -> bool:
        """The bot has replied and finished its turn: every turn ends with buttons."""
        return len(self.user.messages) > seen and bool(self.user.last.buttons)

    def _act(self) -> None:
        last = self.user.last
        labels = str(last.buttons)
        if "开始第一步" in labels:
            self.user.presses(last, "开始第一步")
        elif "帮我写联系客服的话术" in labels:
            self.user.presses(last, "帮我写联系客服的话术")
        elif "平台名称" in last.text:
            self.pending = self.confirmed + 1
            self.user.says(f"平台{self.pending}")
        elif "返回" in labels:
            self.user.presses(last, "返回")
        else:
            self.user.says("/start")


async def start_process(
    api: StandInBotApi, backend: Backend, workdir: Path
) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_PATH": str(backend.path),
        "DATABASE_URL": backend.url or "",
        "LOG_LEVEL": "WARNING",
    }
    return await start_bot_process(api, workdir, env, timeout=30)


async def until_requests(api: StandInBotApi, count: int) -> None:
    """Wait until the bot has made `count` more requests besides polling: the kill point is
    random in the conversation's progress, whatever the machine's speed."""
    start = len(api.calls)

    def made() -> bool:
        return sum(c.method != "getUpdates" for c in api.calls[start:]) >= count

    with contextlib.suppress(TimeoutError):
        await api.wait_until(made, timeout=10)


async def test_sigkill_at_random_points_never_loses_a_confirmed_input(
    api: StandInBotApi, tmp_path: Path, backend: Backend
):
    person = ScriptedUser(api, api.user(USER_ID))
    chance = random.Random(20261124)
    for _ in range(KILLS):
        process = await start_process(api, backend, tmp_path)
        driving = asyncio.create_task(person.run())
        await until_requests(api, chance.randint(0, 16))
        await asyncio.sleep(chance.uniform(0.0, 0.02))  # also between two requests
        process.send_signal(signal.SIGKILL)
        await process.wait()
        driving.cancel()
        await asyncio.gather(driving, return_exceptions=True)

        stored = await platform_number(backend)
        allowed = {person.confirmed, person.pending} if person.pending else {person.confirmed}
        if person.confirmed == 0:
            allowed.add(None)
        assert stored in allowed, (stored, person.confirmed, person.pending)
    assert person.confirmed >= 10, "the scripted conversation should get somewhere"
