"""The real bot process (`python -m bot`) against the stand-in Bot API: started, started and
polling, stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from bot.settings import PROJECT_ROOT
from tests.standin_api import TOKEN, StandInBotApi


async def spawn_bot_process(
    api: StandInBotApi,
    workdir: Path,
    env: dict[str, str],
    *arguments: str,
    stderr: int | IO[bytes] = asyncio.subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """`python -m bot *arguments` in `workdir`, with `env` added to the token and the stand-in's
    address; not waited for (a worker never polls)."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *arguments,
        cwd=workdir,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


async def start_bot_process(
    api: StandInBotApi, workdir: Path, env: dict[str, str], timeout: float = 60
) -> asyncio.subprocess.Process:
    """Start the bot with `env` added to the token and API address, and wait for its first
    getUpdates (it is then receiving)."""
    polls = len(api.calls_to("getUpdates"))
    process = await spawn_bot_process(api, workdir, env)
    await api.wait_until(lambda: len(api.calls_to("getUpdates")) > polls, timeout=timeout)
    return process


async def stop_processes(processes: Iterable[asyncio.subprocess.Process]) -> None:
    """SIGTERM to those still running, then wait for each (killed after 20 s)."""
    running = list(processes)
    for process in running:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
