"""The reminder pass against a real database, SQLite and PostgreSQL alike (the `storage` fixture
of tests/conftest.py): due rows, exactly once, crashes, failures.

The order is claim -> send -> log (bot/reminders.py). These tests prove: a pass run twice, or
two passes at once, send once; a crash between claim and send loses nothing (the lease runs
out and a later pass sends it); a crash between send and log duplicates that one reminder at
most once. Several reminders of one user due in the same pass go out as one message, and every
one of them shares that message's outcome.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest, Forbidden, TimedOut

from bot import reminders
from bot.locale import Locales
from bot.reminders import LEASE, RETRY_DELAY, run_pass
from bot.render import RenderedReply, utf16_length
from bot.settings import PROJECT_ROOT
from bot.storage.interface import Store
from bot.storage.sqlite import DUE_REMINDERS, USER_TABLES, Storage
from flows.conversation.reminders import MAX_PER_MESSAGE, mark_paid
from flows.conversation.state import UserState
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, ReminderPrefs
from tests.conftest import Backend

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCALES = Locales.load(PROJECT_ROOT / "locales")
# Tuesday 24 November 2026, 08:00 in Shanghai: a debt due on the 27th is 3 days away.
BEFORE = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)


class Crash(BaseException):
    """The process dies here (BaseException: nothing on the way catches it)."""


class Chat:
    """A fake Telegram: records what was sent, or fails as told."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.replies: list[RenderedReply] = []
        self.attempts = 0
        self.failures: list[BaseException] = []

    async def send(self, chat_id: int, reply: RenderedReply) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, "\n".join(reply.parts)))
        self.replies.append(reply)


def debtor(day: int = 27, **fields: object) -> UserState:
    debt = Debt(id=1, platform="借呗", due=DueSpec.monthly(day), **fields)
    return UserState(started=True, debts=(debt,), next_debt_id=2)


def several(count: int = 2, day: int = 27) -> UserState:
    """A user with `count` debts all due on the same day."""
    names = ["借呗", "花呗", "美团", "京东白条", "微粒贷", "分期乐", "安逸花", "度小满"]
    debts = tuple(
        Debt(
            id=number,
            platform=names[number - 1] if number <= len(names) else f"平台{number}",
            due=DueSpec.monthly(day),
            installments=InstallmentTerms(payment=Decimal(800), periods=12),
        )
        for number in range(1, count + 1)
    )
    return UserState(started=True, debts=debts, next_debt_id=count + 1)


def payloads(reply: RenderedReply) -> list[str]:
    return [data for row in reply.keyboard for _, data in row]


async def once(storage: Store, chat: Chat, now: datetime) -> reminders.PassReport:
    return await run_pass(now, storage, LOCALES, chat.send)


async def crash_while_logging_then_catch_up(
    storage: Store, chat: Chat, monkeypatch: pytest.MonkeyPatch, crashing_finish: object
) -> None:
    """A pass at NINE dies in `crashing_finish` after Telegram took its one message; later
    passes, past the lease, catch up."""
    kind = type(storage)
    real_finish = kind.finish_reminder
    monkeypatch.setattr(kind, "finish_reminder", crashing_finish)
    with pytest.raises(Crash):
        await once(storage, chat, NINE)
    monkeypatch.setattr(kind, "finish_reminder", real_finish)
    assert len(chat.sent) == 1
    for minutes in (1, 5, 10, 11, 30, 60):
        await once(storage, chat, NINE + timedelta(minutes=minutes))


async def test_a_debt_due_in_three_days_is_reminded_at_nine(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    assert (await once(storage, chat, NINE - timedelta(minutes=1))).due == 0
    report = await once(storage, chat, NINE)
    assert report.sent == 1 and chat.sent[0][0] == 70
    assert "借呗" in chat.sent[0][1] and "还有 3 天" in chat.sent[0][1]
    assert "晚到" not in chat.sent[0][1]


async def test_a_pass_run_twice_at_the_same_time_sends_once(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    await once(storage, chat, NINE)
    again = await once(storage, chat, NINE)
    assert len(chat.sent) == 1 and again.due == 0


async def test_two_passes_at_once_send_once(storage: Store, backend: Backend):
    chat = Chat()
    for user_id in range(1, 21):
        await storage.save(user_id, user_id, debtor(), now=BEFORE)
    other = await backend.open()  # a cron pass in another process, say
    try:
        await asyncio.gather(once(storage, chat, NINE), once(other, chat, NINE))
    finally:
        await other.close()
    assert sorted(chat_id for chat_id, _ in chat.sent) == list(range(1, 21))


async def test_a_crash_between_claim_and_send_loses_nothing(
    storage: Store, backend: Backend, monkeypatch
):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    chat.failures.append(Crash())
    with pytest.raises(Crash):
        await once(storage, chat, NINE)
    assert chat.sent == []
    # Restarted a minute later: the claim may still be in flight elsewhere, so it is left alone…
    assert (await once(storage, chat, NINE + timedelta(minutes=1))).due == 0
    # …until its lease runs out; then it is sent, once, marked late only if it is.
    await once(storage, chat, NINE + LEASE)
    await once(storage, chat, NINE + LEASE + timedelta(minutes=1))
    assert len(chat.sent) == 1
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["sent"]


async def test_a_crash_between_send_and_log_sends_that_reminder_at_most_twice(
    storage: Store, monkeypatch
):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)

    async def crash_after_sending(*args: object, **kwargs: object) -> None:
        raise Crash

    await crash_while_logging_then_catch_up(storage, chat, monkeypatch, crash_after_sending)
    assert len(chat.sent) == 2  # the one duplicate the window allows, and no more


async def test_a_transient_failure_is_retried_by_a_later_pass(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    chat.failures.append(TimedOut())
    report = await once(storage, chat, NINE)
    assert report.retry_later == 1 and chat.sent == []
    assert (await once(storage, chat, NINE + RETRY_DELAY / 2)).due == 0
    await once(storage, chat, NINE + RETRY_DELAY)
    assert len(chat.sent) == 1


async def test_a_reminder_that_always_fails_is_given_up(storage: Store, backend: Backend):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    chat.failures.extend(TimedOut() for _ in range(10))
    for attempt in range(8):
        await once(storage, chat, NINE + attempt * RETRY_DELAY)
    assert chat.sent == []
    assert len(chat.failures) == 10 - reminders.MAX_ATTEMPTS
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["failed"]


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_not_retried(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    chat.failures.append(Forbidden("Forbidden: bot was blocked by the user"))
    report = await once(storage, chat, NINE)
    assert report.blocked == 1
    assert not (await storage.load(7)).active
    for days in range(1, 4):
        assert (await once(storage, chat, NINE + timedelta(days=days))).due == 0
    assert chat.sent == []


async def test_a_message_telegram_refuses_is_logged_failed_not_retried(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    chat.failures.append(BadRequest("Bad Request: chat not found"))
    assert (await once(storage, chat, NINE)).failed == 1
    assert (await once(storage, chat, NINE + timedelta(minutes=5))).due == 0


async def test_after_downtime_only_the_latest_lead_goes_out_marked_late(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    # The bot was down from before 09:00 on the 24th until 15:00 on the 26th.
    report = await once(storage, chat, datetime(2026, 11, 26, 15, 0, tzinfo=SHANGHAI))
    assert report.sent == 1 and report.late == 1 and report.skipped == 1
    assert "明天" in chat.sent[0][1] and "晚到" in chat.sent[0][1]
    await once(storage, chat, datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    assert "今天" in chat.sent[1][1] and "晚到" not in chat.sent[1][1]


async def test_a_lead_whose_due_day_has_ended_is_not_sent(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    report = await once(storage, chat, datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI))
    assert report.sent == 0 and report.skipped == 3  # all three leads: the due day has ended


async def test_a_reminder_whose_time_passed_before_the_debt_was_entered_is_not_owed(
    storage: Store,
):
    chat = Chat()
    # Entered at 10:00 on the 24th: the 3-days-before reminder (09:00 today) is not owed.
    await storage.save(7, 70, debtor(), now=NINE + timedelta(hours=1))
    assert (await once(storage, chat, NINE + timedelta(hours=2))).due == 0
    await once(storage, chat, datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    assert len(chat.sent) == 1 and "明天" in chat.sent[0][1]


async def test_an_owed_reminder_survives_the_users_next_save(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    # The bot was down at 09:00; at 10:00 the user writes before the first pass.
    await storage.save(7, 70, debtor(), now=NINE + timedelta(hours=1))
    assert (await once(storage, chat, NINE + timedelta(hours=1))).sent == 1


async def test_paid_switched_off_or_deleted_debts_are_not_reminded(storage: Store):
    chat = Chat()
    await storage.save(1, 1, mark_paid(debtor(), 1, date(2026, 11, 27), BEFORE.date()), now=BEFORE)
    await storage.save(2, 2, debtor(reminders=ReminderPrefs(enabled=False)), now=BEFORE)
    await storage.save(3, 3, debtor(paid_off=True), now=BEFORE)
    await storage.save(4, 4, debtor(), now=BEFORE)
    await storage.save(4, 4, UserState(started=True), now=BEFORE)
    for day in range(24, 28):
        await once(storage, chat, datetime(2026, 11, day, 9, 0, tzinfo=SHANGHAI))
    assert chat.sent == []


async def test_monthly_reminders_roll_on_without_the_user_writing(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(day=31, reminders=ReminderPrefs(leads_days=(0,))), now=BEFORE)
    day = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    while day.month < 4 or day.year < 2027:
        await once(storage, chat, day)
        day += timedelta(days=1)
    assert [text.split("（")[1][:11] for _, text in chat.sent] == [
        "2026年11月30日",
        "2026年12月31日",
        "2027年1月31日）",
        "2027年2月28日）",
        "2027年3月31日）",
    ]


async def test_an_inactive_user_is_skipped_until_they_write_again(storage: Store):
    chat = Chat()
    await storage.save(7, 70, debtor(), now=BEFORE)
    await storage.mark_inactive(7)
    assert (await once(storage, chat, NINE)).due == 0
    await storage.save(7, 70, debtor(), now=NINE + timedelta(hours=1))
    await once(storage, chat, datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    assert len(chat.sent) == 1


async def test_a_snooze_reminds_again_at_its_time(storage: Store):
    from flows.conversation.reminders import add_snooze, snooze_until

    chat = Chat()
    state = debtor()
    await storage.save(7, 70, state, now=BEFORE)
    await once(storage, chat, NINE)
    until = snooze_until(state, NINE)
    await storage.save(7, 70, add_snooze(state, 1, date(2026, 11, 27), until), now=NINE)
    assert (await once(storage, chat, until - timedelta(minutes=1))).due == 0
    await once(storage, chat, until)
    assert len(chat.sent) == 2


async def test_a_dry_run_sends_and_changes_nothing(storage: Store, backend: Backend):
    await storage.save(7, 70, debtor(), now=BEFORE)
    before = {name: await backend.rows(name) for name in USER_TABLES}
    report = await run_pass(NINE, storage, LOCALES, None, dry_run=True)
    assert report.sent == 1 and "借呗" in report.would_send[0]["text"]
    assert {name: await backend.rows(name) for name in USER_TABLES} == before


async def test_the_scan_reads_due_rows_through_the_fire_at_index(database: Path):
    """SQLite's plan (PostgreSQL picks its own by table statistics)."""
    storage = await Storage.open(database)
    try:
        async with storage._db.execute(f"EXPLAIN QUERY PLAN {DUE_REMINDERS}", (0, 0, 10)) as c:
            plan = [str(row[-1]) for row in await c.fetchall()]
    finally:
        await storage.close()
    assert any("reminders_fire_at (fire_at<?)" in step for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan


# ---- several reminders of one user in one pass: one message ------------------------------


async def test_two_debts_due_the_same_day_ring_once(storage: Store, backend: Backend):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    report = await once(storage, chat, NINE)
    assert (report.sent, report.messages) == (2, 1)
    ((chat_id, said),) = chat.sent
    assert chat_id == 70 and "借呗" in said and "花呗" in said and "这次有 2 笔" in said
    assert "加起来应还 1,600 元" in said
    assert payloads(chat.replies[0]) == [
        "g:rpaid:1:2026-11-27",
        "g:rsnz:1:2026-11-27",
        "g:rpaid:2:2026-11-27",
        "g:rsnz:2:2026-11-27",
        "m:plan",
        "n:/reminders",
    ]
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["sent", "sent"]
    await once(storage, chat, datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    await once(storage, chat, datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    assert len(chat.sent) == 3  # 3 days before, 1 day before, on the day: once each


async def test_one_reminder_left_of_two_looks_as_a_single_one_always_did(storage: Store):
    chat = Chat()
    await storage.save(
        7, 70, mark_paid(several(2), 2, date(2026, 11, 27), BEFORE.date()), now=BEFORE
    )
    report = await once(storage, chat, NINE)
    assert (report.sent, report.messages) == (1, 1)
    assert "还款提醒：借呗" in chat.sent[0][1] and "花呗" not in chat.sent[0][1]
    assert payloads(chat.replies[0]) == [
        "g:rpaid:1:2026-11-27",
        "g:rsnz:1:2026-11-27",
        "m:plan",
        "g:rem:1",
    ]


async def test_a_blocked_user_with_a_combined_message_has_every_row_blocked(
    storage: Store, backend: Backend
):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    chat.failures.append(Forbidden("Forbidden: bot was blocked by the user"))
    report = await once(storage, chat, NINE)
    assert report.blocked == 2 and chat.attempts == 1
    assert not (await storage.load(7)).active
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["blocked", "blocked"]
    assert (await once(storage, chat, NINE + timedelta(days=2))).due == 0


async def test_blocked_on_the_first_of_several_messages_sends_no_more(
    storage: Store, backend: Backend
):
    chat = Chat()
    await storage.save(7, 70, several(MAX_PER_MESSAGE + 1), now=BEFORE)
    chat.failures.append(Forbidden("Forbidden: bot was blocked by the user"))
    report = await once(storage, chat, NINE)
    assert chat.attempts == 1 and report.blocked == MAX_PER_MESSAGE + 1
    assert {row[5] for row in await backend.rows("reminders_sent")} == {"blocked"}


async def test_a_transient_failure_of_a_combined_message_retries_all_of_it(
    storage: Store, backend: Backend
):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    chat.failures.append(TimedOut())
    report = await once(storage, chat, NINE)
    assert report.retry_later == 2 and report.sent == 0 and chat.sent == []
    assert (await once(storage, chat, NINE + RETRY_DELAY / 2)).due == 0
    again = await once(storage, chat, NINE + RETRY_DELAY)
    assert (again.sent, again.messages) == (2, 1) and len(chat.sent) == 1
    assert "借呗" in chat.sent[0][1] and "花呗" in chat.sent[0][1]
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["sent", "sent"]


async def test_a_combined_message_telegram_refuses_fails_every_row(storage: Store):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    chat.failures.append(BadRequest("Bad Request: chat not found"))
    assert (await once(storage, chat, NINE)).failed == 2
    assert (await once(storage, chat, NINE + timedelta(minutes=5))).due == 0


async def test_a_crash_before_a_combined_message_is_sent_loses_nothing(
    storage: Store, backend: Backend
):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    chat.failures.append(Crash())
    with pytest.raises(Crash):
        await once(storage, chat, NINE)
    assert (await once(storage, chat, NINE + timedelta(minutes=1))).due == 0
    await once(storage, chat, NINE + LEASE)
    await once(storage, chat, NINE + LEASE + timedelta(minutes=1))
    assert len(chat.sent) == 1 and "借呗" in chat.sent[0][1] and "花呗" in chat.sent[0][1]
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["sent", "sent"]


@pytest.mark.parametrize("logged_before_the_crash", [0, 1])
async def test_a_crash_while_logging_a_combined_message_duplicates_at_most_one_message(
    storage: Store, backend: Backend, monkeypatch, logged_before_the_crash: int
):
    chat = Chat()
    await storage.save(7, 70, several(3), now=BEFORE)
    real_finish = type(storage).finish_reminder
    logged = 0

    async def crash_while_logging(self: Store, *args: object, **kwargs: object) -> None:
        nonlocal logged
        if logged == logged_before_the_crash:
            raise Crash
        logged += 1
        await real_finish(self, *args, **kwargs)

    await crash_while_logging_then_catch_up(storage, chat, monkeypatch, crash_while_logging)
    assert len(chat.sent) == 2  # one duplicate message, of the reminders not yet logged
    assert chat.sent[1][1].count("本期应还") == 3 - logged_before_the_crash
    assert [row[5] for row in await backend.rows("reminders_sent")] == ["sent"] * 3


async def test_a_reminder_another_pass_holds_is_left_out_of_the_message(storage: Store):
    chat = Chat()
    await storage.save(7, 70, several(2), now=BEFORE)
    (held,) = [d for d in await storage.due_reminders(NINE, NINE - LEASE, 10) if d.row.debt_id == 2]
    assert await storage.claim_reminder(held, NINE, NINE - LEASE) == 1
    report = await once(storage, chat, NINE)
    assert report.claimed_elsewhere == 0 and report.due == 1  # the held one is not even due
    assert "还款提醒：借呗" in chat.sent[0][1] and "花呗" not in chat.sent[0][1]


async def test_twenty_debts_due_at_once_arrive_in_a_few_messages_each_under_the_limit(
    storage: Store,
):
    chat = Chat()
    await storage.save(7, 70, several(20), now=BEFORE)
    report = await once(storage, chat, NINE)
    assert report.sent == 20 and report.messages == len(chat.sent) == 4
    for reply in chat.replies:
        assert len(reply.parts) == 1 and utf16_length(reply.parts[0]) < 4096
    paid_buttons = [data for reply in chat.replies for data in payloads(reply) if "rpaid" in data]
    assert sorted(paid_buttons) == sorted(f"g:rpaid:{n}:2026-11-27" for n in range(1, 21))


async def test_a_dry_run_shows_a_combined_message_once(storage: Store):
    await storage.save(7, 70, several(2), now=BEFORE)
    report = await run_pass(NINE, storage, LOCALES, None, dry_run=True)
    assert (report.sent, report.messages) == (2, 1)
    rows, (message,) = report.would_send[:2], report.would_send[2:]
    assert [row["debt_id"] for row in rows] == [1, 2] and all("text" not in r for r in rows)
    assert message["message"] == [[1, "2026-11-27"], [2, "2026-11-27"]]
    assert "借呗" in message["text"] and "花呗" in message["text"]
