"""Several webhook receivers behind one proxy, workers apart: two receiver processes take the
updates Telegram posts (the proxy sends each to either), two worker processes handle them from
the one PostgreSQL inbox. Every input is answered exactly once, each user's in the order sent.

Real processes (`python -m bot --role receiver|worker`, WEBHOOK_URL set) against the stand-in
Bot API; the test plays Telegram and the proxy: each user's updates are posted one after the
other (Telegram waits for the 200), alternating between the receivers; users in parallel."""

from __future__ import annotations

import asyncio
import random
import socket
from pathlib import Path

import httpx

from bot.storage.postgres import PgStorage
from tests.bot.test_multiprocess import MARKERS, markers_of
from tests.bot_process import spawn_bot_process, stop_processes
from tests.conftest import Backend
from tests.standin_api import SimUser, StandInBotApi

USERS = 60
BURST = 5
SECRET = "proxy-secret_token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def spawn(
    api: StandInBotApi, url: str, role: str, workdir: Path, **env: str
) -> asyncio.subprocess.Process:
    settings = {
        "DATABASE_URL": url,
        "DATABASE_PATH": str(workdir / "unused.sqlite3"),
        "WORKER_SLOTS": "16",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return await spawn_bot_process(api, workdir, settings, "--role", role)


async def test_two_webhook_receivers_and_two_workers_answer_each_input_once_in_order(
    api: StandInBotApi, pg: Backend, tmp_path: Path
):
    url = pg.url or ""
    chance = random.Random(18)
    await (await PgStorage.open(url)).close()  # migrated once, before the processes start
    ports = [free_port(), free_port()]
    processes: list[asyncio.subprocess.Process] = []
    try:
        for port in ports:
            webhook = {
                "WEBHOOK_URL": "https://bot.example.com/hook",
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "WEBHOOK_SECRET_TOKEN": SECRET,
            }
            processes.append(await spawn(api, url, "receiver", tmp_path, **webhook))
        for _ in range(2):
            processes.append(await spawn(api, url, "worker", tmp_path))
        await api.wait_until(lambda: len(api.calls_to("setWebhook")) >= 2, timeout=60)
        hooks = [f"http://127.0.0.1:{port}/hook" for port in ports]

        async with httpx.AsyncClient(timeout=30) as proxy:

            async def post(person: SimUser, words: str) -> None:
                update = api.history[person.says(words)]
                hook = chance.choice(hooks)
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                response = await proxy.post(hook, json=update, headers=headers)
                assert response.status_code == 200, response.text

            async def converse(person: SimUser, commands: list[str]) -> None:
                await post(person, "/start")
                for command in commands:
                    await post(person, command)

            people = [api.user(200_000 + n) for n in range(USERS)]
            sent = {p.id: [chance.choice(list(MARKERS)) for _ in range(BURST)] for p in people}
            await asyncio.gather(*(converse(p, sent[p.id]) for p in people))

        await api.wait_until(lambda: all(len(markers_of(p)) >= BURST for p in people), timeout=180)
        await asyncio.sleep(1)  # anything answered twice would arrive now
        for person in people:
            assert markers_of(person) == sent[person.id], person.id
        storage = await PgStorage.open(url)
        try:
            counts = await storage.inbox_counts()
        finally:
            await storage.close()
        assert counts["pending"] == 0
        assert counts["done"] == USERS * (BURST + 1)
    finally:
        await stop_processes(processes)
