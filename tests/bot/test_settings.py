"""Settings come from the environment; the API base URL points anywhere, tokens stay secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_without_a_token_the_bot_runs_in_the_terminal(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert Settings(_env_file=None).telegram_bot_token is None


def test_a_blank_token_counts_as_no_token(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert Settings(_env_file=None).telegram_bot_token is None


def test_the_token_never_shows_in_a_printout(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SuperSecretTokenValue")
    settings = Settings(_env_file=None)
    assert "SuperSecretTokenValue" not in repr(settings)
    assert "SuperSecretTokenValue" not in str(settings)


def test_a_self_hosted_bot_api_server_can_be_used(monkeypatch):
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://botapi.internal:8081/bot")
    settings = Settings(_env_file=None)
    assert settings.telegram_api_base_url == "http://botapi.internal:8081/bot"
    assert settings.file_base_url == "http://botapi.internal:8081/file/bot"


def test_defaults_are_shanghai_and_simplified_chinese():
    settings = Settings(_env_file=None)
    assert settings.default_timezone == "Asia/Shanghai"
    assert settings.default_locale == "zh-CN"


def test_an_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("database_url", "role", "expected"),
    [
        (None, "both", 0.0),  # SQLite: one process, polls as fast as it handles
        ("postgresql://db/bot", "both", 0.02),
        ("postgresql://db/bot", "receiver", 0.02),
        ("postgresql://db/bot", "worker", 0.0),  # never polls; paced or not, nothing changes
    ],
)
def test_a_process_polling_for_postgresql_waits_for_batches_to_gather(database_url, role, expected):
    from bot.telegram_app import poll_interval

    settings = Settings(_env_file=None, database_url=database_url, role=role)
    assert poll_interval(settings) == expected
