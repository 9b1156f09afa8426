"""Reminder settings (/reminders, 「提醒设置」) and the reminder buttons, on the pure machine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flows.conversation.core import ButtonPress
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, ReminderPrefs
from tests.driver import Driver


def user(*debts: Debt, **fields: object) -> UserState:
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1, **fields)


def dated(debt_id: int = 1, day: int = 15, **fields: object) -> Debt:
    return Debt(id=debt_id, platform="借呗", due=DueSpec.monthly(day), **fields)


def test_reminders_lists_dated_debts_with_their_status(ctx: Context):
    driver = Driver(ctx, user(dated(1), dated(2, 20, reminders=ReminderPrefs(enabled=False))))
    driver.command("reminders")
    assert driver.where == ("reminders", "overview")
    lines = driver.outcome.replies[0].text.values["lines"]
    assert [line.values["status"].key for line in lines] == [
        "reminders.settings.status_on",
        "reminders.settings.status_off",
    ]
    assert "nav.menu" in [b.label.key for b in driver.buttons]


def test_without_a_due_date_it_says_so_and_points_to_the_debts(ctx: Context):
    driver = Driver(ctx, user(Debt(id=1, platform="借呗")))
    driver.command("reminders")
    assert driver.keys == ["reminders.settings.none"]
    assert "reminders.settings.debts" in [b.label.key for b in driver.buttons]


def test_leads_toggle_and_reminders_switch_off_and_on(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("reminders")
    driver.press("reminders.settings.of")
    assert driver.where == ("reminders", "debt")
    lead_three = next(b for b in driver.buttons if b.data.endswith("lead:3"))
    driver.send(ButtonPress(lead_three.data))
    assert driver.state.debts[0].reminders.leads_days == (1, 0)
    driver.press("reminders.settings.turn_off")
    assert not driver.state.debts[0].reminders.enabled
    driver.press("reminders.settings.turn_on")
    assert driver.state.debts[0].reminders.enabled


def test_the_hour_is_chosen_between_8_and_21_and_returns_to_the_screen(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("reminders")
    driver.press("reminders.settings.hour_button")
    hours = [b.label.values["hour"] for b in driver.buttons if b.data.split("|")[-1][:2] == "h:"]
    assert hours == list(range(8, 22))
    twenty = next(b for b in driver.buttons if b.data.endswith("h:20"))
    driver.send(ButtonPress(twenty.data))
    assert driver.state.reminder_hour == 20
    assert driver.where == ("reminders", "overview")
    assert driver.keys[0] == "reminders.settings.hour_set"


def test_a_forged_hour_or_lead_is_refused(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("reminders")
    driver.press("reminders.settings.hour_button")
    seq = driver.state.prompt_seq
    for forged in (f"{seq}|h:3", f"{seq}|h:23", f"{seq}|h:x"):
        driver.send(ButtonPress(forged))
        assert driver.state.reminder_hour == 9
        assert driver.keys[0] == "common.unknown_button"


def test_settings_of_a_debt_that_is_not_yours_is_refused_kindly(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("menu")
    for forged in ("g:rem:2", "g:rem:abc", "g:rem:", "g:rem:99999999999999"):
        driver.send(ButtonPress(forged))
        assert driver.keys[0] == "reminders.unknown_debt"
        assert driver.where == ("menu", "main")


def test_paid_marks_the_due_date_and_a_second_press_says_it_already_is(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("menu")
    driver.send(ButtonPress("g:rpaid:1:2026-12-15"))
    assert driver.keys[0] == "reminders.marked_paid"
    assert [(p.debt_id, p.due_date) for p in driver.state.paid_dues] == [(1, date(2026, 12, 15))]
    driver.send(ButtonPress("g:rpaid:1:2026-12-15"))
    assert driver.keys[0] == "reminders.already_paid"
    assert len(driver.state.paid_dues) == 1


def test_after_paid_the_amount_is_recorded_and_the_balance_follows_without_retyping(
    ctx: Context,
):
    driver = Driver(ctx, user(dated(remaining_principal=Decimal("5000"))))
    driver.command("menu")
    driver.send(ButtonPress("g:rpaid:1:2026-12-15"))
    assert driver.keys == ["reminders.marked_paid", "payments.confirm"]
    driver.say("2000")
    driver.press("payments.ok")
    # Nothing tells interest from principal here: all of it is principal, and it says so.
    assert driver.state.debts[0].remaining_principal == Decimal("3000")
    assert driver.outcome.replies[-1].text.values["lines"][0].key == "payments.split.unknown"
    driver.press("payments.correct_balance")
    assert driver.where == ("debts", "edit_remaining_principal")
    driver.say("3100")
    assert driver.state.debts[0].remaining_principal == Decimal("3100")
    assert driver.keys[0] == "debts.updated"
    assert [p.kind.value for p in driver.state.payments] == ["installment", "correction"]


def test_a_forged_update_balance_button_changes_nothing(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("menu")
    for forged in ("g:dbal:2", "g:dbal:abc", "g:dbal:", "g:dbal:99999999999999"):
        driver.send(ButtonPress(forged))
        assert driver.keys[0] == "debts.not_found"
        assert driver.where == ("menu", "main")


def test_paid_for_a_date_that_is_not_a_due_date_is_refused(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("menu")
    for forged in ("g:rpaid:1:2026-12-14", "g:rpaid:1:2026-13-15", "g:rpaid:1", "g:rpaid:x:y"):
        driver.send(ButtonPress(forged))
        assert driver.keys[0] == "reminders.unknown_debt"
    assert driver.state.paid_dues == ()


def test_snooze_is_limited(ctx: Context):
    driver = Driver(ctx, user(dated()))
    driver.command("menu")
    for _ in range(5):
        driver.send(ButtonPress("g:rsnz:1:2026-12-15"))
        assert driver.keys[0] == "reminders.snoozed"
    driver.send(ButtonPress("g:rsnz:1:2026-12-15"))
    assert driver.keys[0] == "reminders.snooze_limit"
    assert [s.number for s in driver.state.snoozes] == [1, 2, 3, 4, 5]
