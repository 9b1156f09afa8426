"""Settings from the environment or a .env file; nothing secret is ever logged."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.domain.budget import DEFAULT_LIVING_FLOOR

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    telegram_api_file_url: str | None = None
    database_path: Path = Path("yuqi.sqlite3")
    # postgresql://user:password@host/db (or ?host=/socket/dir): PostgreSQL instead of the SQLite
    # file, for several worker processes (bot/storage/postgres.py). Secret: it may hold a password.
    database_url: SecretStr | None = None
    # With PostgreSQL: `receiver` stores updates (polling: exactly one such process; webhook:
    # any number), `worker` handles them from the inbox (any number), `both` does both.
    # SQLite: always both (one process).
    role: Literal["both", "receiver", "worker"] = "both"
    # On PostgreSQL a polling process (role receiver or both) waits this long after a batch
    # before the next getUpdates, so that the next batch gathers the updates of that time: one
    # inbox write for several (each costs the receiver and PostgreSQL about as much for one
    # update as for ten). An update waits at most this much longer. SQLite is not paced: its
    # group commit joins the writes of updates arriving together.
    receiver_batch_seconds: float = Field(default=0.02, ge=0, le=1)
    # Users a worker process handles at once (each holds one database connection).
    worker_slots: int = Field(default=32, ge=1, le=500)
    default_timezone: str = "Asia/Shanghai"
    default_locale: str = "zh-CN"
    locales_dir: Path = PROJECT_ROOT / "locales"
    data_dir: Path = PROJECT_ROOT / "data"
    terminal_user_id: int = 0
    log_level: str = "INFO"
    # Webhook mode when set (e.g. https://bot.example.com/telegram); polling otherwise.
    webhook_url: str | None = None
    # Loopback: a TLS-terminating proxy on the same machine forwards to it (deploy/).
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Telegram sends this in X-Telegram-Bot-Api-Secret-Token; unset: a new random one per start.
    webhook_secret_token: SecretStr | None = None
    # HTTP connections to the Bot API (bot/http.py). 8, 32 and 100 measured alike under load
    # (benchmarks/RESULTS.md).
    connection_pool_size: int = Field(default=8, ge=1, le=256)
    # A user sending faster than this is asked to slow down; queued updates beyond it are dropped.
    max_queued_updates_per_user: int = Field(default=20, ge=1)
    # Seconds between reminder passes in the Telegram app; 0 turns the built-in scan off
    # (then run `python -m bot remind` from cron).
    reminder_scan_seconds: int = Field(default=60, ge=0)
    # Yuan a month a plan always leaves for living, however little the user says they spend.
    living_floor: Decimal = Field(default=DEFAULT_LIVING_FLOOR, ge=0, le=1_000_000)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _telegram_accepts_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("webhook secret token: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_bot_token", "webhook_url", "database_url", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def file_base_url(self) -> str:
        """The file URL: given explicitly, or derived from a self-hosted API base URL."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        if self.telegram_api_base_url == TELEGRAM_API:
            return TELEGRAM_FILE_API
        return self.telegram_api_base_url.removesuffix("/bot").rstrip("/") + "/file/bot"
