"""Reminder settings (/reminders, and "Reminder settings" on a debt or a reminder) and the buttons
every reminder carries: Paid (this due date is paid), Remind me later (snooze), Reminder settings.

Not a step of the guide (not in the menu): per debt, reminders on or off and which days before
the due date; for the user, the hour and the time zone. Every id and date in a button is
untrusted and looked up in the user's own debts (a zone: in ZONE_CHOICES).
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, Step, move, nav_row, reprompt, to_node
from flows.conversation.reminders import (
    EARLIEST_HOUR,
    LATEST_HOUR,
    LEAD_CHOICES,
    MAX_SNOOZES,
    add_snooze,
    date_text,
    is_due_date,
    is_paid,
    local_today,
    mark_paid,
    moment_text,
    send_hour,
    snooze_until,
    snoozes_of,
    zone_of,
)
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, ReminderPrefs
from flows.domain.parsing.numerals import normalise, number_value
from flows.domain.texts import Text, Value, text
from flows.steps.payments import open_payment

STEP_ID = "reminders"
HOURS_PER_ROW = 5
ZONES_PER_ROW = 2

# The zones a user can choose: where people who borrow from Chinese platforms mostly live.
# (IANA zone, its label under reminders.zone in the locales); the first is the default.
ZONE_CHOICES: tuple[tuple[str, str], ...] = (
    ("Asia/Shanghai", "shanghai"),
    ("Asia/Hong_Kong", "hong_kong"),
    ("Asia/Taipei", "taipei"),
    ("Asia/Singapore", "singapore"),
    ("Asia/Kuala_Lumpur", "kuala_lumpur"),
    ("Asia/Tokyo", "tokyo"),
    ("Asia/Seoul", "seoul"),
    ("Asia/Dubai", "dubai"),
    ("Europe/London", "london"),
    ("Europe/Berlin", "berlin"),
    ("America/New_York", "new_york"),
    ("America/Los_Angeles", "los_angeles"),
    ("Australia/Sydney", "sydney"),
)
_ZONE_LABELS = dict(ZONE_CHOICES)


# ---- what the screens say -----------------------------------------------------------------


def due_text(debt: Debt) -> Text:
    assert debt.due is not None
    if debt.due.on_date is not None:
        return date_text(debt.due.on_date)
    return text("reminders.settings.due_monthly", day=debt.due.day_of_month or 0)


def zone_label(zone: str) -> Value:
    """A zone by its everyday name (Beijing time); one not offered (set by DEFAULT_TIMEZONE) as its
    identifier."""
    label = _ZONE_LABELS.get(zone)
    return zone if label is None else text(f"reminders.zone.{label}")


def zone_name(state: UserState) -> Value:
    """The zone reminders really use: an unknown stored zone falls back (see zone_of)."""
    return zone_label(zone_of(state).key)


def _when(state: UserState) -> dict[str, Value]:
    """The values every screen that names the user's hour needs: the hour and its zone."""
    return {"hour": send_hour(state), "zone": zone_name(state)}


def chosen_leads(debt: Debt) -> tuple[int, ...]:
    return tuple(lead for lead in LEAD_CHOICES if lead in debt.reminders.leads_days)


def status_text(debt: Debt, today: date | None = None) -> Text:
    if debt.cleared:
        return text("reminders.settings.status_paid")
    once = debt.due.on_date if debt.due is not None else None
    if once is not None and today is not None and once < today:
        # A one-off due date already gone: no reminder will come, so don't say "on".
        return text("reminders.settings.status_past")
    if not debt.reminders.enabled:
        return text("reminders.settings.status_off")
    leads = chosen_leads(debt)
    if not leads:
        return text("reminders.settings.status_no_leads")
    combination = "_".join(str(lead) for lead in leads)
    return text("reminders.settings.status_on", leads=text(f"reminders.leads.{combination}"))


def _dated(state: UserState) -> tuple[Debt, ...]:
    return tuple(debt for debt in state.debts if debt.due is not None)


def _overview(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    hour_row = (
        Button(text("reminders.settings.hour_button", hour=send_hour(state)), "hour"),
        Button(text("reminders.settings.zone_button", zone=zone_name(state)), "zone"),
    )
    dated = _dated(state)
    if not dated:
        buttons = ((Button(text("reminders.settings.debts"), "m:debts"),), hour_row, nav_row())
        return (Reply(text("reminders.settings.none", **_when(state)), buttons),)
    lines = tuple(
        text(
            "reminders.settings.line",
            platform=debt.platform,
            due=due_text(debt),
            status=status_text(debt, local_today(state, ctx.now)),
        )
        for debt in dated
    )
    debt_rows = tuple(
        (Button(text("reminders.settings.of", platform=d.platform), f"debt:{d.id}"),) for d in dated
    )
    message = text("reminders.settings.overview", lines=lines, **_when(state))
    return (Reply(message, (*debt_rows, hour_row, nav_row())),)


def _debt_screen(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = state.own_debt(state.position.draft.get("debt"))
    if debt is None:
        return (Reply(text("reminders.settings.gone"), (nav_row(),)),)
    if debt.due is None:
        buttons = ((Button(text("reminders.settings.debts"), "m:debts"),), nav_row())
        return (Reply(text("reminders.settings.no_due"), buttons),)
    prefs = debt.reminders
    switch = "turn_off" if prefs.enabled else "turn_on"
    lead_buttons = tuple(
        Button(
            text(
                "reminders.settings.lead_on"
                if lead in prefs.leads_days
                else "reminders.settings.lead_off",
                label=text(f"reminders.lead.{lead}"),
            ),
            f"lead:{lead}",
        )
        for lead in LEAD_CHOICES
    )
    buttons = (
        (Button(text(f"reminders.settings.{switch}"), "switch"),),
        *((lead_buttons,) if prefs.enabled else ()),
        (Button(text("reminders.settings.hour_button", hour=send_hour(state)), "hour"),),
        nav_row(),
    )
    message = text(
        "reminders.settings.debt",
        platform=debt.platform,
        due=due_text(debt),
        status=status_text(debt, local_today(state, ctx.now)),
        **_when(state),
    )
    return (Reply(message, buttons),)


def _hour_screen(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    hours = range(EARLIEST_HOUR, LATEST_HOUR + 1)
    options = [Button(text("reminders.settings.hour_option", hour=h), f"h:{h}") for h in hours]
    rows = tuple(
        tuple(options[i : i + HOURS_PER_ROW]) for i in range(0, len(options), HOURS_PER_ROW)
    )
    return (Reply(text("reminders.settings.hour_ask"), (*rows, nav_row())),)


def _zone_option(zone: str, chosen: str, ctx: Context) -> Button:
    """A zone with its clock now, so the user can pick the one that matches their phone."""
    clock = ctx.now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    key = "zone_option_chosen" if zone == chosen else "zone_option"
    return Button(text(f"reminders.settings.{key}", zone=zone_label(zone), time=clock), f"z:{zone}")


def _zone_screen(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    chosen = zone_of(state).key
    options = [_zone_option(zone, chosen, ctx) for zone, _label in ZONE_CHOICES]
    rows = tuple(
        tuple(options[i : i + ZONES_PER_ROW]) for i in range(0, len(options), ZONES_PER_ROW)
    )
    message = text("reminders.settings.zone_ask", hour=send_hour(state))
    return (Reply(message, (*rows, nav_row())),)


# ---- what the buttons do ------------------------------------------------------------------


open_overview = to_node(STEP_ID, "overview")


def open_debt(state: UserState, argument: str, ctx: Context) -> Outcome:
    debt = state.own_debt(argument)
    if debt is None:
        return reprompt(state, ctx, Reply(text("reminders.unknown_debt")))
    return move(state, STEP_ID, "debt", ctx, draft={"debt": debt.id})


def _change_prefs(state: UserState, debt: Debt, prefs: ReminderPrefs, ctx: Context) -> Outcome:
    changed = debt.model_copy(update={"reminders": prefs})
    debts = tuple(changed if d.id == debt.id else d for d in state.debts)
    return reprompt(state.model_copy(update={"debts": debts}), ctx)


def _current_debt(state: UserState) -> Debt | None:
    return state.own_debt(state.position.draft.get("debt"))


def _switch(state: UserState, _argument: str, ctx: Context) -> Outcome | None:
    debt = _current_debt(state)
    if debt is None:
        return None
    prefs = debt.reminders.model_copy(update={"enabled": not debt.reminders.enabled})
    return _change_prefs(state, debt, prefs, ctx)


def _toggle_lead(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    debt = _current_debt(state)
    if debt is None or not argument.isdigit() or int(argument) not in LEAD_CHOICES:
        return None
    lead = int(argument)
    leads = set(debt.reminders.leads_days)
    leads ^= {lead}
    prefs = debt.reminders.model_copy(update={"leads_days": tuple(sorted(leads, reverse=True))})
    return _change_prefs(state, debt, prefs, ctx)


_to_hour = to_node(STEP_ID, "hour")


def _saved(updated: UserState, done: Reply, ctx: Context) -> Outcome:
    """After the hour or the zone is chosen: say so, then back to the screen it was chosen
    from. (Saving the state rebuilds the reminder schedule: bot/storage/sqlite.py.)"""
    previous = updated.back()
    if previous is None:
        return move(updated, STEP_ID, "overview", ctx, lead=(done,))
    return reprompt(previous, ctx, done)


def _set_hour(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    if not argument.isdigit() or not EARLIEST_HOUR <= int(argument) <= LATEST_HOUR:
        return None
    updated = state.model_copy(update={"reminder_hour": int(argument)})
    return _saved(updated, Reply(text("reminders.settings.hour_set", **_when(updated))), ctx)


# A typed hour: "20", "20点", "20:00", "晚上8点" (evening 8), "下午3点" (afternoon 3). Chinese
# words are escapes: morning (zao shang, zao chen, shang wu), noon (zhong wu), afternoon
# (xia wu), evening (wan shang, bang wan); dian / shi (o'clock), zhong, zheng (sharp).
_MORNING = ("\u65e9\u4e0a", "\u65e9\u6668", "\u4e0a\u5348")
_NOON = ("\u4e2d\u5348",)
_LATER = ("\u4e0b\u5348", "\u665a\u4e0a", "\u508d\u665a")
_TYPED_HOUR = re.compile(
    "^(?P<part>" + "|".join(_MORNING + _NOON + _LATER) + ")?"
    "(?P<hour>[^:\uff1a\u70b9\u65f6]+)"
    "(?:[:\uff1a]00|[\u70b9\u65f6](?:\u949f|\u6574)?)?$"
)


def typed_hour(raw: str) -> int | None:
    """The hour of the day a typed time names (0-23), or None when it names none."""
    match = _TYPED_HOUR.match(normalise(raw))
    if match is None:
        return None
    value = number_value(match["hour"])
    if value is None or value != value.to_integral_value() or not 0 <= value <= 23:
        return None
    hour = int(value)
    if match["part"] in _LATER and hour < 12:
        hour += 12
    elif match["part"] in _LATER[1:] and hour == 12:
        hour = 0  # twelve in the evening is midnight
    return hour


def _typed_hour(state: UserState, raw: str, ctx: Context) -> Outcome:
    hour = typed_hour(raw)
    if hour is None or not EARLIEST_HOUR <= hour <= LATEST_HOUR:
        problem = text(
            "reminders.settings.hour_out_of_range", first=EARLIEST_HOUR, last=LATEST_HOUR
        )
        return reprompt(state, ctx, Reply(problem))
    outcome = _set_hour(state, str(hour), ctx)
    return outcome if outcome is not None else reprompt(state, ctx)


_to_zone = to_node(STEP_ID, "zone")


def _set_zone(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    """Only a zone from the list: a forged one (even a real zone) changes nothing."""
    if argument not in _ZONE_LABELS:
        return None
    updated = state.model_copy(update={"timezone": argument})
    return _saved(updated, Reply(text("reminders.settings.zone_set", **_when(updated))), ctx)


def _occurrence(state: UserState, argument: str) -> tuple[Debt, date] | None:
    """`<debt id>:<ISO date>` from a reminder's button: the user's own debt and one of its due
    dates, or None."""
    debt_part, _, date_part = argument.partition(":")
    debt = state.own_debt(debt_part)
    if debt is None or debt.due is None:
        return None
    try:
        due = date.fromisoformat(date_part)
    except ValueError:
        return None
    return (debt, due) if is_due_date(debt.due, due) else None


def _unpaid_occurrence(
    state: UserState, argument: str, ctx: Context
) -> tuple[Debt, date] | Outcome:
    """The unpaid due date a reminder's button names, or the reply when there is none to act
    on: an unknown (or forged) debt or date, or a date already marked paid."""
    found = _occurrence(state, argument)
    if found is None:
        return reprompt(state, ctx, Reply(text("reminders.unknown_debt")))
    debt, due = found
    if is_paid(state, debt.id, due):
        values = {"platform": debt.platform, "date": date_text(due)}
        return reprompt(state, ctx, Reply(text("reminders.already_paid", **values)))
    return debt, due


def paid(state: UserState, argument: str, ctx: Context) -> Outcome:
    """Paid on a reminder: this due date is paid, no more reminders for it; then how much was
    paid, prefilled with the amount due, to record in the payment log (flows/steps/payments.py)."""
    found = _unpaid_occurrence(state, argument, ctx)
    if isinstance(found, Outcome):
        return found
    debt, due = found
    updated = mark_paid(state, debt.id, due, local_today(state, ctx.now))
    values = {"platform": debt.platform, "date": date_text(due)}
    lead = (Reply(text("reminders.marked_paid", **values)),)
    return open_payment(updated, debt, ctx, due=due, lead=lead)


def snooze(state: UserState, argument: str, ctx: Context) -> Outcome:
    """Remind me later: remind again a few hours later, or the next day, never at night."""
    found = _unpaid_occurrence(state, argument, ctx)
    if isinstance(found, Outcome):
        return found
    debt, due = found
    if snoozes_of(state, debt.id, due) >= MAX_SNOOZES:
        return reprompt(state, ctx, Reply(text("reminders.snooze_limit")))
    until = snooze_until(state, ctx.now)
    updated = add_snooze(state, debt.id, due, until)
    said = text(
        "reminders.snoozed", platform=debt.platform, moment=moment_text(until, zone_of(state))
    )
    return reprompt(updated, ctx, Reply(said))


STEP = Step(
    id=STEP_ID,
    entry="overview",
    nodes={
        "overview": ChoiceNode(
            render=_overview, actions={"debt": open_debt, "hour": _to_hour, "zone": _to_zone}
        ),
        "debt": ChoiceNode(
            render=_debt_screen,
            actions={"switch": _switch, "lead": _toggle_lead, "hour": _to_hour},
        ),
        "hour": ChoiceNode(render=_hour_screen, actions={"h": _set_hour}, typed=_typed_hour),
        "zone": ChoiceNode(render=_zone_screen, actions={"z": _set_zone}),
    },
    commands={"reminders": open_overview},
    global_actions={"rem": open_debt, "rpaid": paid, "rsnz": snooze},
)
