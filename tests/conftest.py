"""Shared fixtures: the stand-in Bot API, the real Application running against it, the facts."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from telegram.ext import Application

from bot.facts import load_facts
from bot.ordering import PerUserOrder
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.interface import Store, open_store
from bot.telegram_app import ALLOWED_UPDATES, build_application
from flows.domain.context import Context
from flows.domain.facts import Facts
from tests.pg_cluster import Cluster
from tests.standin_api import TOKEN, SentMessage, SimUser, StandInBotApi

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="session")
def facts() -> Facts:
    return load_facts(PROJECT_ROOT / "data")


@pytest.fixture
def ctx(facts: Facts) -> Context:
    return Context(
        now=datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI),
        facts=facts,
        settings=Settings(_env_file=None),
    )


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    server = StandInBotApi()
    await server.start()
    yield server
    await server.stop()


def bot_settings(api: StandInBotApi, database: Path, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_path=database,
        **overrides,
    )


@dataclass
class RunningBot:
    """The real Application, polling the stand-in; `settle` waits until it has handled
    every update pushed so far (and sent every reply)."""

    application: Application
    api: StandInBotApi
    baseline: int = 0  # updates pushed before this Application started

    @property
    def processor(self) -> PerUserOrder:
        processor = self.application.update_processor
        assert isinstance(processor, PerUserOrder)
        return processor

    @property
    def finished(self) -> int:
        """Updates handled: by the in-process order (SQLite), or by this process's inbox
        worker (PostgreSQL, bot/workers.py)."""
        worker = self.application.bot_data.get("inbox_worker")
        return worker.handled if worker is not None else self.processor.finished

    async def settle(self, timeout: float = 10.0) -> None:
        async def _wait() -> None:
            while self.finished < self.api.updates_pushed - self.baseline:
                await asyncio.sleep(0.002)

        await asyncio.wait_for(_wait(), timeout)

    async def say(self, user: SimUser, text: str) -> SentMessage:
        user.says(text)
        await self.settle()
        return user.last

    async def press(
        self, user: SimUser, label_part: str, message: SentMessage | None = None
    ) -> SentMessage:
        user.presses(message or user.last_with_buttons(), label_part)
        await self.settle()
        return user.last

    async def stop(self) -> None:
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()
        await self.application.post_shutdown(self.application)


async def start_bot(api: StandInBotApi, database: Path, **overrides: object) -> RunningBot:
    application = build_application(bot_settings(api, database, **overrides))
    baseline = api.updates_pushed
    # The same order as Application.run_polling.
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(
        poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
    )
    await application.start()
    return RunningBot(application, api, baseline)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def bot(api: StandInBotApi, database: Path) -> AsyncIterator[RunningBot]:
    running = await start_bot(api, database)
    yield running
    await running.stop()


# ---- both storage backends ---------------------------------------------------------------


class LazyCluster:
    """The tests' PostgreSQL, started on first use (a run of SQLite-only tests never starts it)
    and stopped at the end of the session."""

    def __init__(self) -> None:
        self._cluster: Cluster | None = None

    def get(self) -> Cluster:
        if self._cluster is None:
            self._cluster = Cluster().start()
        return self._cluster

    def stop(self) -> None:
        if self._cluster is not None:
            self._cluster.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[LazyCluster]:
    cluster = LazyCluster()
    yield cluster
    cluster.stop()


@dataclass
class Backend:
    """One storage backend for a test: the SQLite file, or a fresh PostgreSQL database."""

    name: str
    path: Path
    url: str | None = None
    opened: list[Store] = field(default_factory=list)

    @property
    def overrides(self) -> dict[str, object]:
        """Settings fields that put the bot on this backend (with `database_path`)."""
        return {} if self.url is None else {"database_url": self.url}

    def settings(self, **fields: object) -> Settings:
        return Settings(_env_file=None, database_path=self.path, **self.overrides, **fields)

    async def open(self) -> Store:
        return await open_store(self.settings())

    async def rows(self, table: str) -> list[tuple]:
        """Every row of a table, read apart from the bot's own connections."""
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4"
        if self.url is None:
            with sqlite3.connect(self.path) as connection:
                return connection.execute(query).fetchall()
        connection = await asyncpg.connect(self.url)
        try:
            return [tuple(row) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    async def execute(self, sql: str) -> None:
        """A statement written the same for both (no parameters)."""
        if self.url is None:
            with sqlite3.connect(self.path) as connection:
                connection.execute(sql)
            return
        connection = await asyncpg.connect(self.url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
async def backend(
    request: pytest.FixtureRequest, database: Path, postgres: LazyCluster
) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", database)
        return
    cluster = postgres.get()
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(cluster.url())
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield Backend("postgres", database, cluster.url(name))
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def pg(postgres: LazyCluster) -> AsyncIterator[Backend]:
    """A fresh PostgreSQL database only (for what has no SQLite counterpart)."""
    cluster = postgres.get()
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(cluster.url())
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield Backend("postgres", Path("unused.sqlite3"), cluster.url(name))
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def storage(backend: Backend) -> AsyncIterator[Store]:
    """An open store on each backend."""
    opened = await backend.open()
    yield opened
    await opened.close()
