"""A throwaway PostgreSQL cluster for the tests: a temp directory, a unix socket, no TCP.

The binaries are the machine's own when it has them (pg_config, /usr/lib/postgresql/*/bin,
PATH), otherwise the ones in the `pgserver` wheel from PyPI, installed on first need. initdb and
postgres refuse to run as root, so when the tests run as root the server runs as `nobody`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEEDED = ("initdb", "postgres", "pg_ctl")


def find_binaries() -> Path:
    """The directory holding initdb, postgres and pg_ctl."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(bindir))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if all((directory / name).exists() for name in NEEDED):
            return directory
    return _wheel_binaries()


def _wheel_binaries() -> Path:
    try:
        import pgserver  # type: ignore[import-not-found]
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pgserver"], check=True)
        import pgserver  # type: ignore[import-not-found]
    return Path(pgserver.__file__).parent / "pginstall" / "bin"


class Cluster:
    """initdb + postgres in a fresh temp directory; `url(name)` for a database in it."""

    def __init__(self) -> None:
        self.bindir = find_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="yuqi-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.port = 50000 + os.getpid() % 10000
        self._process: subprocess.Popen[bytes] | None = None
        self._as: list[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self._as = [
                "setpriv",
                f"--reuid={nobody.pw_uid}",
                f"--regid={nobody.pw_gid}",
                "--clear-groups",
                "--",
            ]

    def start(self) -> Cluster:
        self.root.chmod(0o755)
        subprocess.run(
            [
                *self._as,
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        # Durability settings off: only the bot is ever killed in the tests, never the server.
        # The server stops when the test run dies without stopping it (SIGINT: a fast shutdown).
        self._process = subprocess.Popen(
            [
                *(self._as[:-1] if self._as else ["setpriv"]),
                "--pdeathsig=SIGINT",
                "--",
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-k",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "server.log", "wb"),  # noqa: SIM115
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        socket = self.socket_dir / f".s.PGSQL.{self.port}"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                log = (self.root / "server.log").read_text(errors="replace")
                raise RuntimeError(f"postgres exited: {log[-2000:]}")
            if socket.exists() and self.ready():
                return
            time.sleep(0.1)
        raise TimeoutError("postgres did not start")

    @property
    def postmaster(self) -> int | None:
        """The server's process id (its backends are its children): for CPU figures."""
        return self._process.pid if self._process is not None else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def ready(self) -> bool:
        """The server says so in its pid file (line 8, "ready") once it accepts connections."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            # SIGINT: "fast" shutdown, open connections are closed.
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
