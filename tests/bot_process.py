"""The real bot process (`python -m bot`) against the stand-in Bot API, started and polling."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.standin_api import TOKEN, StandInBotApi


async def start_bot_process(
    api: StandInBotApi, workdir: Path, env: dict[str, str], timeout: float = 60
) -> asyncio.subprocess.Process:
    """Start the bot with `env` added to the token and API address, and wait for its first
    getUpdates (it is then receiving)."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        **env,
    }
    polls = len(api.calls_to("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=workdir,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await api.wait_until(lambda: len(api.calls_to("getUpdates")) > polls, timeout=timeout)
    return process
