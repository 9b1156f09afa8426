"""Reminders before due dates, derived from a user's state: when they fire and what they say.

Pure: the shell stores the schedule (bot/storage/sqlite.py rebuilds it on every save) and a periodic
pass sends the due ones (bot/reminders.py). For each unpaid debt with a due day or date and
reminders switched on, a reminder fires `lead` days before each of the next due dates, at the
user's reminder hour (08-21, never at night) in their time zone. A monthly due day past the end
of a short month falls on its last day (31 -> Feb 28 or 29). Snoozes (Remind me later) add one-off
reminders with negative leads: -1 is the first snooze of that due date, -2 the second.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.conversation.core import Button, Reply
from flows.conversation.planned import current_plan, payment_in, payment_on
from flows.conversation.progress import missed_before
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import Debt, DueSpec, LenderKind
from flows.domain.reminder_marks import PaidDue, Snooze
from flows.domain.texts import Text, text

DEFAULT_ZONE = "Asia/Shanghai"
DEFAULT_HOUR = 9
EARLIEST_HOUR = 8
LATEST_HOUR = 21
# Monthly debts keep this many due dates scheduled, so the chain goes on while nobody writes.
OCCURRENCES = 2
MAX_LEAD_DAYS = 7
LEAD_CHOICES = (3, 1, 0)
# Sent later than this after its time (the bot was down), a reminder says it is late.
LATE_AFTER = timedelta(minutes=30)
SNOOZE_HOURS = 3
MAX_SNOOZES = 5
# Marks older than this are dropped when a new one is added: the state stays small.
KEEP_MARKS_DAYS = 120


@dataclass(frozen=True, slots=True, order=True)
class Scheduled:
    """One reminder: debt, due date, lead (days before; negative: a snooze), fire time (UTC)."""

    debt_id: int
    due_date: date
    lead: int
    fire_at: datetime

    @property
    def key(self) -> tuple[int, date, int]:
        return (self.debt_id, self.due_date, self.lead)

    @property
    def snoozed(self) -> bool:
        return self.lead < 0


# ---- when ---------------------------------------------------------------------------------


def zone_of(state: UserState) -> ZoneInfo:
    try:
        return ZoneInfo(state.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def send_hour(state: UserState) -> int:
    """The user's hour, kept inside the day: a stored 23 still never rings at night."""
    return min(max(state.reminder_hour, EARLIEST_HOUR), LATEST_HOUR)


def local_today(state: UserState, now: datetime) -> date:
    return now.astimezone(zone_of(state)).date()


def due_in_month(day: int, year: int, month: int) -> date:
    """The due day in a month; a day the month lacks is its last day (31 -> Feb 28/29)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_dates(spec: DueSpec, today: date, count: int = OCCURRENCES) -> tuple[date, ...]:
    """The next `count` due dates from today on (today included)."""
    if spec.on_date is not None:
        return (spec.on_date,) if spec.on_date >= today else ()
    assert spec.day_of_month is not None
    found: list[date] = []
    year, month = today.year, today.month
    while len(found) < count:
        due = due_in_month(spec.day_of_month, year, month)
        if due >= today:
            found.append(due)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)


def is_due_date(spec: DueSpec, day: date) -> bool:
    """Whether `day` is one of this debt's due dates (checks an untrusted button argument)."""
    if spec.on_date is not None:
        return day == spec.on_date
    assert spec.day_of_month is not None
    return day == due_in_month(spec.day_of_month, day.year, day.month)


def fire_time(due: date, lead: int, hour: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(due - timedelta(days=lead), time(hour), tzinfo=zone)
    return local.astimezone(UTC)


def leads_of(debt: Debt) -> tuple[int, ...]:
    """The leads that count: whole days from 0 to MAX_LEAD_DAYS, each once, largest first."""
    return tuple(sorted({d for d in debt.reminders.leads_days if 0 <= d <= MAX_LEAD_DAYS}))[::-1]


def reminded(debt: Debt) -> bool:
    """Whether this debt gets reminders at all."""
    return debt.due is not None and not debt.cleared and debt.reminders.enabled


def is_paid(state: UserState, debt_id: int, due: date) -> bool:
    return PaidDue(debt_id=debt_id, due_date=due) in state.paid_dues


def schedule(state: UserState, now: datetime) -> tuple[Scheduled, ...]:
    """Every reminder owed for the next due dates, including those whose time has passed today
    or earlier (the shell keeps a passed one only if it was scheduled before its time)."""
    zone, hour, today = zone_of(state), send_hour(state), local_today(state, now)
    rows: list[Scheduled] = []
    for debt in state.debts:
        if not reminded(debt):
            continue
        assert debt.due is not None
        for due in due_dates(debt.due, today):
            if is_paid(state, debt.id, due):
                continue
            rows.extend(
                Scheduled(debt.id, due, lead, fire_time(due, lead, hour, zone))
                for lead in leads_of(debt)
            )
    rows.extend(_snoozed(state))
    return tuple(sorted(rows))


def _snoozed(state: UserState) -> list[Scheduled]:
    eligible = {debt.id: debt for debt in state.debts if reminded(debt)}
    return [
        Scheduled(s.debt_id, s.due_date, -s.number, s.at.astimezone(UTC))
        for s in state.snoozes
        if s.debt_id in eligible and not is_paid(state, s.debt_id, s.due_date)
    ]


def superseded(row: Scheduled, due_now: list[Scheduled]) -> bool:
    """An earlier lead of a due date whose later lead is also due: only the latest is sent."""
    return not row.snoozed and any(
        other.debt_id == row.debt_id
        and other.due_date == row.due_date
        and 0 <= other.lead < row.lead
        for other in due_now
    )


def expired(state: UserState, row: Scheduled, now: datetime) -> bool:
    """A lead reminder after its due day has ended is no use any more (a snooze always is)."""
    return not row.snoozed and local_today(state, now) > row.due_date


def is_late(row: Scheduled, now: datetime) -> bool:
    return now - row.fire_at > LATE_AFTER


def snooze_until(state: UserState, now: datetime) -> datetime:
    """A few hours later on the same day if that is still before 21:00, else the next day at
    the user's hour: never at night."""
    zone = zone_of(state)
    local = now.astimezone(zone)
    later = local + timedelta(hours=SNOOZE_HOURS)
    if later.minute or later.second or later.microsecond:  # on the hour, rounded up
        later = later.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if later.date() == local.date() and EARLIEST_HOUR <= later.hour <= LATEST_HOUR:
        return later.astimezone(UTC)
    day = local.date() if local.hour < EARLIEST_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, time(send_hour(state)), tzinfo=zone).astimezone(UTC)


# ---- marks --------------------------------------------------------------------------------


def mark_paid(state: UserState, debt_id: int, due: date, today: date) -> UserState:
    """Record the due date as paid; its pending snoozes go with it."""
    oldest = today - timedelta(days=KEEP_MARKS_DAYS)
    paid = tuple(p for p in state.paid_dues if p.due_date >= oldest)
    snoozes = tuple(s for s in state.snoozes if (s.debt_id, s.due_date) != (debt_id, due))
    return state.model_copy(
        update={
            "paid_dues": (*paid, PaidDue(debt_id=debt_id, due_date=due)),
            "snoozes": snoozes,
        }
    )


def snoozes_of(state: UserState, debt_id: int, due: date) -> int:
    return sum(1 for s in state.snoozes if (s.debt_id, s.due_date) == (debt_id, due))


def add_snooze(state: UserState, debt_id: int, due: date, at: datetime) -> UserState:
    """Snooze once more; snoozes whose time is long past are dropped."""
    oldest = at - timedelta(days=KEEP_MARKS_DAYS)
    kept = tuple(s for s in state.snoozes if s.at >= oldest)
    number = 1 + max(
        (s.number for s in state.snoozes if (s.debt_id, s.due_date) == (debt_id, due)), default=0
    )
    snooze = Snooze(debt_id=debt_id, due_date=due, number=number, at=at)
    return state.model_copy(update={"snoozes": (*kept, snooze)})


# ---- what it says -------------------------------------------------------------------------


class AmountKind(StrEnum):
    INSTALLMENT = "installment"  # the installment payment
    OWED_NOW = "owed_now"  # everything the platform says is owed now
    REMAINING = "remaining"  # the remaining principal


def amount_due(debt: Debt) -> tuple[AmountKind, Decimal] | None:
    """The best amount we know for this due date, and which one it is."""
    if debt.installments is not None:
        return AmountKind.INSTALLMENT, debt.installments.payment
    if debt.owed_now is not None:
        return AmountKind.OWED_NOW, debt.owed_now
    if debt.remaining_principal is not None:
        return AmountKind.REMAINING, debt.remaining_principal
    return None


def planned_payment(state: UserState, debt: Debt, due: date, ctx: Context) -> Decimal | None:
    """What the user's current plan (steps 3-4, in the order they last chose) pays this debt in
    the month of `due`: None without a plan (no budget, no amounts, nothing left, refused);
    0 when the plan pays it nothing that month (other debts come first, or already cleared)."""
    return payment_on(state, debt.id, due, ctx)


def plan_line(planned: Decimal | None) -> Text:
    if planned is None:
        return text("reminders.plan.none")
    if planned == 0:
        return text("reminders.plan.nothing_this_month")
    return text("reminders.plan.amount", amount=money_text(planned))


def date_text(day: date) -> Text:
    return text("reminders.date", year=day.year, month=day.month, day=day.day)


def moment_text(moment: datetime, zone: ZoneInfo) -> Text:
    local = moment.astimezone(zone)
    return text("reminders.moment", date=date_text(local.date()), hour=local.hour)


def when_text(due: date, today: date) -> Text:
    days = (due - today).days
    if days == 0:
        return text("reminders.when.today", date=date_text(due))
    if days == 1:
        return text("reminders.when.tomorrow", date=date_text(due))
    if days > 1:
        return text("reminders.when.in_days", date=date_text(due), days=days)
    return text("reminders.when.overdue", date=date_text(due), days=-days)


def amount_text(debt: Debt) -> Text:
    known = amount_due(debt)
    if known is None:
        return text("reminders.amount.unknown")
    kind, amount = known
    # A friend's loan has no platform bill to point to.
    private = kind is not AmountKind.INSTALLMENT and debt.lender is LenderKind.PRIVATE
    return text(
        f"reminders.amount.{kind}{'_private' if private else ''}", amount=money_text(amount)
    )


def plan_text(state: UserState, debt: Debt, due: date, ctx: Context) -> Text:
    return plan_line(planned_payment(state, debt, due, ctx))


def paid_and_snooze(debt_id: int, due: date, paid: Text, snooze: Text) -> tuple[Button, Button]:
    """Paid and Remind me later for one due date: global buttons, valid however old."""
    occurrence = f"{debt_id}:{due.isoformat()}"
    return Button(paid, f"g:rpaid:{occurrence}"), Button(snooze, f"g:rsnz:{occurrence}")


def reminder_buttons(debt_id: int, due: date) -> tuple[tuple[Button, ...], ...]:
    """Global buttons: they work on this message however old it gets."""
    return (
        paid_and_snooze(
            debt_id, due, text("reminders.button.paid"), text("reminders.button.snooze")
        ),
        (
            Button(text("reminders.button.plan"), "m:plan"),
            Button(text("reminders.button.settings"), f"g:rem:{debt_id}"),
        ),
    )


def reminder_lines(
    state: UserState,
    debt: Debt,
    row: Scheduled,
    now: datetime,
    planned: Decimal | None,
    with_plan: bool = True,
    missed: date | None = None,
) -> tuple[Text, ...]:
    """What one reminder says under its platform: when, amount, what the plan pays it
    (`planned`, see planned_payment), the previous payment gently if it seems missed, and late
    or not."""
    lines: list[Text] = [
        when_text(row.due_date, local_today(state, now)),
        amount_text(debt),
    ]
    if with_plan:
        lines.append(plan_line(planned))
    if missed is not None:
        lines.append(text("reminders.missed", date=date_text(missed)))
    if is_late(row, now):
        lines.append(text("reminders.late", planned=moment_text(row.fire_at, zone_of(state))))
    return tuple(lines)


def reminder_message(
    state: UserState, debt: Debt, row: Scheduled, now: datetime, ctx: Context
) -> Reply:
    """The reminder as it is sent at `now`: platform, when, amount, plan, and late or not."""
    missed = missed_before(state, debt, row.due_date)
    lines = reminder_lines(
        state, debt, row, now, planned_payment(state, debt, row.due_date, ctx), missed=missed
    )
    buttons = reminder_buttons(debt.id, row.due_date)
    if missed is not None:
        buttons = (*buttons, NEGOTIATE_ROW)
    return Reply(text("reminders.message", platform=debt.platform, lines=lines), buttons)


# Under a reminder that noticed a missed payment: the way to the negotiation scripts.
NEGOTIATE_ROW = (Button(text("reminders.button.negotiate"), "m:negotiate"),)


# ---- several at once ----------------------------------------------------------------------

# At most this many reminders in one combined message: six blocks stay under Telegram's 4096
# characters even in English with 30-character platform names and the longest lines of each
# kind (tests/bot/test_reminders_combined.py), and the keyboard stays short enough to read.
MAX_PER_MESSAGE = 6

T = TypeVar("T")

# What one combined message holds: the user's debts with the reminder row of each.
Item = tuple[Debt, Scheduled]


@dataclass(frozen=True, slots=True)
class Part:
    """Which message this is when one pass has more reminders than fit in one."""

    number: int
    of: int
    reminders: int


def message_groups(items: Sequence[T]) -> list[list[T]]:
    """One user's reminders of one pass in as few messages as fit, spread evenly (9 -> 5 + 4)."""
    if not items:
        return []
    parts = -(-len(items) // MAX_PER_MESSAGE)
    size, extra = divmod(len(items), parts)
    groups: list[list[T]] = []
    start = 0
    for number in range(parts):
        end = start + size + (1 if number < extra else 0)
        groups.append(list(items[start:end]))
        start = end
    return groups


def total_due(debts: Sequence[Debt]) -> tuple[int, Decimal] | None:
    """How many of these debts have a known amount due this time (an installment, or what the
    platform says is owed now), and their sum; None when none has. A remaining principal is not
    what is due this time, so it is left out of the total."""
    known = [
        amount
        for kind, amount in filter(None, (amount_due(debt) for debt in debts))
        if kind is not AmountKind.REMAINING
    ]
    return (len(known), sum(known, Decimal(0))) if known else None


def combined_summary(debts: Sequence[Debt]) -> Text:
    total = total_due(debts)
    if total is None:
        return text("reminders.combined.no_total")
    known, amount = total
    if known == len(debts):
        return text("reminders.combined.total", count=known, amount=money_text(amount))
    return text("reminders.combined.total_some", known=known, amount=money_text(amount))


def combined_buttons(items: Sequence[Item]) -> tuple[tuple[Button, ...], ...]:
    """Per debt its own Paid and Remind me later (the payloads of a single reminder), then the
    plan and the reminder settings once."""
    rows = tuple(
        paid_and_snooze(
            debt.id,
            row.due_date,
            text("reminders.button.paid_of", platform=debt.platform),
            text("reminders.button.snooze_short"),
        )
        for debt, row in items
    )
    shared = (
        Button(text("reminders.button.plan"), "m:plan"),
        Button(text("reminders.button.settings"), "n:/reminders"),
    )
    return (*rows, shared)


def combined_message(
    state: UserState,
    items: Sequence[Item],
    now: datetime,
    ctx: Context,
    part: Part | None = None,
) -> Reply:
    """Several reminders of one user due in the same pass, as one message: how many and the
    total, then each debt as its single reminder would say it, then a Paid button per debt."""
    debts = [debt for debt, _ in items]
    plan = current_plan(state, ctx)  # once for the message, not once per debt
    payments = [payment_in(plan, state, debt.id, row.due_date, ctx) for debt, row in items]
    # Without any plan, "no plan yet" is said once, not under every debt.
    no_plan = all(planned is None for planned in payments)
    blocks = tuple(
        text(
            "reminders.combined.block",
            number=number,
            platform=debt.platform,
            lines=reminder_lines(state, debt, row, now, planned, with_plan=not no_plan),
        )
        for number, ((debt, row), planned) in enumerate(zip(items, payments, strict=True), 1)
    )
    intro: list[Text] = [combined_summary(debts)]
    if no_plan:
        intro.append(text("reminders.combined.no_plan"))
    # A payment that seems missed is said once for the message, gently, not under every debt.
    missed = tuple(
        text("reminders.combined.missed_platform", platform=debt.platform)
        for debt, row in items
        if missed_before(state, debt, row.due_date) is not None
    )
    if missed:
        intro.append(text("reminders.combined.missed", platforms=missed))
    if part is not None and part.of > 1:
        intro.append(
            text(
                "reminders.combined.part",
                number=part.number,
                of=part.of,
                reminders=part.reminders,
            )
        )
    message = text(
        "reminders.combined.message", count=len(items), intro=tuple(intro), blocks=blocks
    )
    buttons = combined_buttons(items)
    return Reply(message, (*buttons, NEGOTIATE_ROW) if missed else buttons)
