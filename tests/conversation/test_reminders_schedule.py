"""The reminder schedule: due dates, month ends, leap years, time zones, hours, switches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flows.conversation.reminders import (
    Scheduled,
    add_snooze,
    amount_text,
    due_dates,
    expired,
    is_due_date,
    mark_paid,
    reminder_message,
    schedule,
    snooze_until,
    superseded,
)
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, ReminderPrefs

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def user(*debts: Debt, **fields: object) -> UserState:
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1, **fields)


def monthly(day: int, debt_id: int = 1, **fields: object) -> Debt:
    return Debt(id=debt_id, platform="借呗", due=DueSpec.monthly(day), **fields)


def once(on: date, debt_id: int = 1, **fields: object) -> Debt:
    return Debt(id=debt_id, platform="花呗", due=DueSpec.once(on), **fields)


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


def test_day_31_falls_on_the_last_day_of_short_months():
    assert due_dates(DueSpec.monthly(31), date(2026, 1, 31), 3) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    )
    assert due_dates(DueSpec.monthly(31), date(2026, 4, 1), 1) == (date(2026, 4, 30),)


def test_a_leap_february_ends_on_the_29th_and_a_common_one_on_the_28th():
    assert due_dates(DueSpec.monthly(30), date(2028, 2, 1), 1) == (date(2028, 2, 29),)
    assert due_dates(DueSpec.monthly(29), date(2027, 2, 1), 1) == (date(2027, 2, 28),)
    assert due_dates(DueSpec.monthly(29), date(2100, 2, 1), 1) == (date(2100, 2, 28),)
    assert due_dates(DueSpec.monthly(29), date(2000, 2, 1), 1) == (date(2000, 2, 29),)


def test_a_due_day_already_past_this_month_is_next_month_and_the_year_rolls_over():
    assert due_dates(DueSpec.monthly(5), date(2026, 12, 20), 2) == (
        date(2027, 1, 5),
        date(2027, 2, 5),
    )
    assert due_dates(DueSpec.monthly(20), date(2026, 12, 20), 1) == (date(2026, 12, 20),)


def test_a_single_date_is_due_once_and_not_after_it_passed():
    spec = DueSpec.once(date(2026, 12, 1))
    assert due_dates(spec, date(2026, 11, 24)) == (date(2026, 12, 1),)
    assert due_dates(spec, date(2026, 12, 2)) == ()


def test_is_due_date_accepts_only_the_debts_own_dates():
    assert is_due_date(DueSpec.monthly(31), date(2026, 2, 28))
    assert not is_due_date(DueSpec.monthly(31), date(2026, 2, 27))
    assert is_due_date(DueSpec.once(date(2026, 12, 1)), date(2026, 12, 1))
    assert not is_due_date(DueSpec.once(date(2026, 12, 1)), date(2026, 12, 2))


def test_default_leads_3_1_0_at_nine_in_shanghai_as_utc():
    rows = schedule(user(monthly(27)), at(SHANGHAI, 2026, 11, 24, 10))
    first = [r for r in rows if r.due_date == date(2026, 11, 27)]
    assert [(r.lead, r.fire_at) for r in first] == [
        (0, datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),
        (1, datetime(2026, 11, 26, 1, 0, tzinfo=UTC)),
        (3, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)),
    ]
    assert {r.due_date for r in rows} == {date(2026, 11, 27), date(2026, 12, 27)}
    assert all(r.fire_at.tzinfo is UTC for r in rows)


def test_a_new_york_user_is_reminded_at_their_hour_across_daylight_saving():
    state = user(monthly(3), timezone="America/New_York", reminder_hour=20)
    rows = schedule(state, at(NEW_YORK, 2026, 10, 20, 12))
    fire = {(r.due_date, r.lead): r.fire_at for r in rows}
    # November 3rd 2026 is after the clocks went back (EST, UTC-5); October 31st is EDT (UTC-4).
    assert fire[(date(2026, 11, 3), 0)] == datetime(2026, 11, 4, 1, 0, tzinfo=UTC)
    assert fire[(date(2026, 11, 3), 3)] == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    for moment in fire.values():
        assert moment.astimezone(NEW_YORK).hour == 20


def test_the_users_hour_is_kept_inside_the_day():
    late_night = schedule(user(monthly(27), reminder_hour=23), at(SHANGHAI, 2026, 11, 24, 7))
    early = schedule(user(monthly(27), reminder_hour=5), at(SHANGHAI, 2026, 11, 24, 7))
    assert {r.fire_at.astimezone(SHANGHAI).hour for r in late_night} == {21}
    assert {r.fire_at.astimezone(SHANGHAI).hour for r in early} == {8}


def test_an_unknown_time_zone_falls_back_to_shanghai():
    rows = schedule(user(monthly(27), timezone="Mars/Olympus"), at(SHANGHAI, 2026, 11, 24, 7))
    assert rows[0].fire_at.astimezone(SHANGHAI).hour == 9


def test_switched_off_paid_off_and_undated_debts_get_no_reminders():
    off = monthly(27, 1, reminders=ReminderPrefs(enabled=False))
    paid = monthly(27, 2, paid_off=True)
    undated = Debt(id=3, platform="微粒贷")
    assert schedule(user(off, paid, undated), at(SHANGHAI, 2026, 11, 24, 7)) == ()


def test_chosen_leads_only_and_no_lead_means_no_reminder():
    only_day_before = monthly(27, 1, reminders=ReminderPrefs(leads_days=(1,)))
    none_chosen = monthly(28, 2, reminders=ReminderPrefs(leads_days=()))
    rows = schedule(user(only_day_before, none_chosen), at(SHANGHAI, 2026, 11, 24, 7))
    assert {(r.debt_id, r.lead) for r in rows} == {(1, 1)}


def test_a_due_date_marked_paid_is_not_reminded_but_the_next_month_is():
    state = mark_paid(user(monthly(27)), 1, date(2026, 11, 27), date(2026, 11, 24))
    rows = schedule(state, at(SHANGHAI, 2026, 11, 24, 7))
    assert {r.due_date for r in rows} == {date(2026, 12, 27)}


def test_a_snooze_is_a_reminder_of_its_own_with_a_negative_lead():
    until = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
    state = add_snooze(user(monthly(27)), 1, date(2026, 11, 27), until)
    state = add_snooze(state, 1, date(2026, 11, 27), until + timedelta(hours=3))
    snoozed = [r for r in schedule(state, at(SHANGHAI, 2026, 11, 24, 7)) if r.snoozed]
    assert [(r.lead, r.fire_at) for r in snoozed] == [
        (-2, until + timedelta(hours=3)),
        (-1, until),
    ]


def test_a_snooze_goes_a_few_hours_later_or_to_the_next_morning_never_at_night():
    state = user(monthly(27))
    assert snooze_until(state, at(SHANGHAI, 2026, 11, 24, 9, 0)) == at(SHANGHAI, 2026, 11, 24, 12)
    assert snooze_until(state, at(SHANGHAI, 2026, 11, 24, 9, 20)) == at(SHANGHAI, 2026, 11, 24, 13)
    assert snooze_until(state, at(SHANGHAI, 2026, 11, 24, 18, 30)) == at(SHANGHAI, 2026, 11, 25, 9)
    assert snooze_until(state, at(SHANGHAI, 2026, 11, 24, 2, 0)) == at(SHANGHAI, 2026, 11, 24, 9)
    assert snooze_until(state, at(SHANGHAI, 2026, 11, 24, 23, 0)) == at(SHANGHAI, 2026, 11, 25, 9)


def test_only_the_latest_due_lead_is_sent_and_a_lead_expires_after_its_due_day():
    due = date(2026, 11, 27)
    three = Scheduled(1, due, 3, datetime(2026, 11, 24, 1, tzinfo=UTC))
    one = Scheduled(1, due, 1, datetime(2026, 11, 26, 1, tzinfo=UTC))
    assert superseded(three, [three, one]) and not superseded(one, [three, one])
    state = user(monthly(27))
    assert not expired(state, one, at(SHANGHAI, 2026, 11, 27, 23, 59))
    assert expired(state, one, at(SHANGHAI, 2026, 11, 28, 0, 1))


def test_the_message_names_platform_amount_plan_and_says_when_it_is_late(facts):
    debt = monthly(27, installments=InstallmentTerms(payment=Decimal("1234.5"), periods=12))
    state = user(debt)
    row = Scheduled(1, date(2026, 11, 27), 3, datetime(2026, 11, 24, 1, tzinfo=UTC))
    ctx = Context(now=at(SHANGHAI, 2026, 11, 24, 9), facts=facts)
    on_time = reminder_message(state, debt, row, at(SHANGHAI, 2026, 11, 24, 9, 1), ctx)
    lines = on_time.text.values["lines"]
    assert on_time.text.values["platform"] == "借呗"
    assert [line.key for line in lines] == [
        "reminders.when.in_days",
        "reminders.amount.installment",
        "reminders.plan.none",
    ]
    assert lines[1].values["amount"] == "1,234.50"
    late = reminder_message(state, debt, row, at(SHANGHAI, 2026, 11, 24, 15), ctx)
    assert late.text.values["lines"][-1].key == "reminders.late"
    payloads = [b.data for r in on_time.buttons for b in r]
    assert payloads == ["g:rpaid:1:2026-11-27", "g:rsnz:1:2026-11-27", "m:plan", "g:rem:1"]


def test_the_amount_says_which_amount_it_is():
    assert amount_text(monthly(1, owed_now=Decimal(5000))).key == "reminders.amount.owed_now"
    remaining = monthly(1, remaining_principal=Decimal(800))
    assert amount_text(remaining).key == "reminders.amount.remaining"
    assert amount_text(monthly(1)).key == "reminders.amount.unknown"
