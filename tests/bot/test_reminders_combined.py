"""Several reminders due at once, as one message: what it says, its buttons, its size."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.locale import Locales
from bot.render import render, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.conversation.reminders import (
    MAX_PER_MESSAGE,
    Part,
    Scheduled,
    combined_message,
    message_groups,
)
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms
from tests.driver import Driver

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCALES = Locales.load(PROJECT_ROOT / "locales")
DUE = date(2026, 11, 27)
# 09:00 on the 24th in Shanghai: three days before the 27th.
FIRE = datetime(2026, 11, 24, 1, tzinfo=UTC)
ON_TIME = datetime(2026, 11, 24, 9, 1, tzinfo=SHANGHAI)
LATE = datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI)


def debt(number: int, platform: str | None = None, **fields: object) -> Debt:
    return Debt(id=number, platform=platform or f"平台{number}", due=DueSpec.monthly(27), **fields)


def installment(number: int, payment: str, platform: str | None = None) -> Debt:
    terms = InstallmentTerms(payment=Decimal(payment), periods=12)
    return debt(number, platform, installments=terms)


def user(*debts: Debt) -> UserState:
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1)


def items(state: UserState) -> list[tuple[Debt, Scheduled]]:
    return [(d, Scheduled(d.id, DUE, 3, FIRE)) for d in state.debts]


def plain(state: UserState, reply, locale: str = "zh-CN") -> str:
    return "\n".join(render(LOCALES.get(locale), reply).parts)


def test_two_debts_due_the_same_day_are_one_message_naming_both(ctx: Context):
    state = user(installment(1, "800"), installment(2, "1234.5"))
    reply = combined_message(state, items(state), ON_TIME, ctx)
    said = plain(state, reply)
    assert "这次有 2 笔" in said and "加起来应还 2,034.50 元" in said
    assert "1. 平台1" in said and "2. 平台2" in said
    assert said.count("还有 3 天到还款日（2026年11月27日）") == 2
    assert "本期应还：800 元" in said and "本期应还：1,234.50 元" in said
    assert "晚到" not in said
    labels = [[LOCALES.get("zh-CN").render(b.label) for b in row] for row in reply.buttons]
    assert labels == [
        ["✅ 平台1 已还", "稍后提醒"],
        ["✅ 平台2 已还", "稍后提醒"],
        ["查看计划", "提醒设置"],
    ]
    assert [[b.data for b in row] for row in reply.buttons] == [
        ["g:rpaid:1:2026-11-27", "g:rsnz:1:2026-11-27"],
        ["g:rpaid:2:2026-11-27", "g:rsnz:2:2026-11-27"],
        ["m:plan", "n:/reminders"],
    ]


def test_the_total_counts_only_amounts_due_this_time(ctx: Context):
    state = user(installment(1, "800"), debt(2, remaining_principal=Decimal(5000)), debt(3))
    said = plain(state, combined_message(state, items(state), ON_TIME, ctx))
    assert "填了应还金额的 1 笔共 800 元" in said
    assert "5,000" in said  # the remaining principal is still shown in its own block
    nothing = user(debt(1), debt(2))
    said = plain(nothing, combined_message(nothing, items(nothing), ON_TIME, ctx))
    assert "加起来" not in said and "共" not in said and "一笔一笔来" in said


def test_a_late_combined_message_says_so_for_each_debt(ctx: Context):
    state = user(installment(1, "800"), installment(2, "800"))
    said = plain(state, combined_message(state, items(state), LATE, ctx))
    assert said.count("这条提醒晚到了") == 2


def test_pressing_one_paid_button_marks_only_that_debt_paid(ctx: Context):
    state = user(installment(1, "800"), installment(2, "800"))
    reply = combined_message(state, items(state), ON_TIME, ctx)
    driver = Driver(ctx, state)
    driver.command("menu")
    second = reply.buttons[1][0]
    driver.send(ButtonPress(second.data))
    assert driver.keys[0] == "reminders.marked_paid"
    assert driver.outcome.replies[0].text.values["platform"] == "平台2"
    assert [(p.debt_id, p.due_date) for p in driver.state.paid_dues] == [(2, DUE)]
    driver.send(ButtonPress(reply.buttons[0][1].data))  # Remind me later on the first
    assert [(s.debt_id, s.due_date) for s in driver.state.snoozes] == [(1, DUE)]
    driver.send(ButtonPress(reply.buttons[-1][1].data))  # the settings of all reminders
    assert driver.where == ("reminders", "overview")


def test_reminders_spread_evenly_over_as_few_messages_as_fit():
    assert message_groups([]) == []
    assert [len(g) for g in message_groups(list(range(2)))] == [2]
    assert [len(g) for g in message_groups(list(range(MAX_PER_MESSAGE)))] == [MAX_PER_MESSAGE]
    assert [len(g) for g in message_groups(list(range(MAX_PER_MESSAGE + 1)))] == [4, 3]
    assert [len(g) for g in message_groups(list(range(20)))] == [5, 5, 5, 5]
    assert [n for group in message_groups(list(range(20))) for n in group] == list(range(20))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_twenty_debts_due_at_once_stay_under_telegrams_limit(
    ctx: Context, locale: str, monkeypatch
):
    # The worst case: the longest names a platform may have, full of characters that grow when
    # escaped, the longest line of each kind (overdue, remaining principal, the plan paying
    # nothing this month, late), and the longer language.
    monkeypatch.setattr("flows.conversation.reminders.payment_in", lambda *_: Decimal(0))
    debts = [
        debt(n, f"{n:02d}" + "&<" * 14, remaining_principal=Decimal("99999999.99"))
        for n in range(1, 21)
    ]
    state = user(*debts).model_copy(update={"locale": locale})
    overdue = [(d, Scheduled(d.id, date(2026, 10, 27), -5, FIRE)) for d in debts]
    groups = message_groups(overdue)
    assert [len(g) for g in groups] == [5, 5, 5, 5]
    for number, group in enumerate(groups, start=1):
        reply = combined_message(state, group, LATE, ctx, Part(number, len(groups), 20))
        rendered = render(LOCALES.get(locale), reply)
        assert len(rendered.parts) == 1
        assert utf16_length(rendered.parts[0]) < 4096
        assert all(len(b.data.encode()) <= 64 for row in reply.buttons for b in row)
    biggest = [(d, row) for d, row in overdue[:MAX_PER_MESSAGE]]
    rendered = render(LOCALES.get(locale), combined_message(state, biggest, LATE, ctx))
    assert utf16_length(rendered.parts[0]) < 4096, utf16_length(rendered.parts[0])
    said = plain(state, combined_message(state, groups[0], LATE, ctx, Part(1, 4, 20)))
    if locale == "zh-CN":
        assert "这次一共有 20 笔要提醒，分 4 条消息发给你，这是第 1 条" in said
        assert "还款日（2026年10月27日）已经过了" in said
