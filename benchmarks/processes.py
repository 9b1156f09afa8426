"""Start, watch and stop the processes a benchmark runs: the load side and the bot."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from tests.standin_api import TOKEN

OUT = PROJECT_ROOT / "benchmarks" / "out"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    peak_rss_mb: float


def python(
    *arguments: str, env: dict[str, str] | None = None, stdout: int | None = None
) -> subprocess.Popen[bytes]:
    search_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "PYTHONPATH": search_path, **(env or {})}
    return subprocess.Popen(
        [sys.executable, *arguments],
        cwd=OUT,
        env=environment,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_load(
    scenario: str,
    users: int,
    seconds: float,
    warmup: float,
    stride: int = 1,
    rate: float | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """The load process; its people have user ids FIRST_USER_ID, +stride, +2*stride...
    With `rate`, an open loop: updates arrive at that mean rate (Poisson), whatever the bot
    is doing."""
    OUT.mkdir(parents=True, exist_ok=True)
    port_file = OUT / f"port-{scenario}-{os.getpid()}"
    port_file.unlink(missing_ok=True)
    load = python(
        "-m",
        "benchmarks.load",
        "--scenario",
        scenario,
        "--users",
        str(users),
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--stride",
        str(stride),
        "--port-file",
        str(port_file),
        *(["--rate", str(rate)] if rate else []),
        stdout=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline or load.poll() is not None:
            raise RuntimeError("the load process did not start")
        time.sleep(0.05)
    port = int(port_file.read_text())
    port_file.unlink()
    return load, port


def bot_environment(port: int, database: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
    }


def usage(process: subprocess.Popen[bytes]) -> Usage:
    """CPU time so far and peak resident memory of a live process and every process it started,
    from Linux /proc. Peaks are summed: an upper bound."""
    cpu, peak_kb = 0.0, 0
    for pid in _family(process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except FileNotFoundError:
            continue  # ended meanwhile
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        peak_kb += next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    return Usage(cpu_seconds=cpu, peak_rss_mb=round(peak_kb / 1024, 1))


def _family(root: int) -> list[int]:
    """`root` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    family, pending = [], [root]
    while pending:
        pid = pending.pop()
        family.append(pid)
        pending.extend(children.get(pid, []))
    return family


def follow(
    load: subprocess.Popen[bytes], bot: subprocess.Popen[bytes]
) -> tuple[dict[str, Any], float, Usage]:
    """Read the load's progress lines; take the bot's CPU when measuring starts and ends."""
    assert load.stdout is not None
    measuring_cpu = 0.0
    for raw in load.stdout:
        message = json.loads(raw)
        if message.get("event") == "measuring":
            measuring_cpu = usage(bot).cpu_seconds
        elif "turns_per_second" in message:
            return message, measuring_cpu, usage(bot)
    raise RuntimeError("the load process ended without a result")


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGINT first (python-telegram-bot shuts down cleanly; a profiler writes its file)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
