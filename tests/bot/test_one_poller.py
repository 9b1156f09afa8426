"""Telegram serves getUpdates to one consumer: on PostgreSQL, a second process started to poll
for the same bot stands by (it still handles the inbox) and takes over polling when the first
dies. Real processes (`python -m bot`, role both, polling) against the stand-in Bot API."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import asyncpg

from bot.storage.postgres import PgStorage
from bot.workers import POLLER_LOCK
from tests.bot_process import spawn_bot_process, stop_processes
from tests.conftest import Backend
from tests.standin_api import StandInBotApi


async def spawn(
    api: StandInBotApi, url: str, workdir: Path, log: Path
) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_URL": url,
        "DATABASE_PATH": str(workdir / "unused.sqlite3"),
        "LOG_LEVEL": "WARNING",
    }
    with log.open("wb") as sink:
        return await spawn_bot_process(api, workdir, env, "--role", "both", stderr=sink)


async def logged(log: Path, words: str, timeout: float = 60) -> None:
    """Until the process's log shows `words` (it writes as it goes)."""
    deadline = time.monotonic() + timeout
    while words not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, (words, log.read_text(errors="replace"))
        await asyncio.sleep(0.1)


async def lease_holders(url: str) -> list[int]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2",
            *POLLER_LOCK,
        )
        return [row[0] for row in rows]
    finally:
        await connection.close()


async def test_a_second_polling_process_stands_by_and_takes_over_when_the_first_dies(
    api: StandInBotApi, pg: Backend, tmp_path: Path
):
    url = pg.url or ""
    await (await PgStorage.open(url)).close()  # migrated once, before the processes start
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    processes: list[asyncio.subprocess.Process] = []
    try:
        first = await spawn(api, url, tmp_path, first_log)
        processes.append(first)
        await api.wait_until(lambda: bool(api.calls_to("getUpdates")), timeout=60)
        await logged(first_log, "holding the polling lease")
        second = await spawn(api, url, tmp_path, second_log)
        processes.append(second)
        await logged(second_log, "standby")

        person = api.user(4242)
        person.says("/start")
        await api.wait_until(lambda: bool(person.messages), timeout=60)
        assert api.concurrent_polls == 0
        assert len(await lease_holders(url)) == 1
        assert "holding the polling lease" not in second_log.read_text(errors="replace")

        first.send_signal(signal.SIGKILL)
        await first.wait()
        await logged(second_log, "holding the polling lease")
        answered = len(person.messages)
        person.says("/menu")
        await api.wait_until(lambda: len(person.messages) > answered, timeout=60)
        assert "主菜单" in person.messages[-1].text
        assert len(await lease_holders(url)) == 1
    finally:
        await stop_processes(processes)
