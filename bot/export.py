"""A user's stored rows as files: JSON for completeness, CSV for a spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.locale import DEFAULT_LOCALE, Catalog, Locales, to_plain
from bot.render import strip_invisible
from bot.settings import PROJECT_ROOT
from flows.conversation.state import UserState
from flows.domain.texts import Text, Value, text
from flows.steps.agreement import agreement_line
from flows.steps.debts import shown_terms
from flows.steps.negotiate import entry_values

DEFAULT_TIMEZONE = "Asia/Shanghai"

# Excel needs the byte order mark to read UTF-8 Chinese correctly.
UTF8_BOM = "\ufeff"


def as_json(rows: Mapping[str, list[dict[str, Any]]]) -> bytes:
    readable = {table: [_unpacked(row) for row in table_rows] for table, table_rows in rows.items()}
    return json.dumps(readable, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def as_csv(rows: Mapping[str, list[dict[str, Any]]], catalog: Catalog | None = None) -> bytes:
    """A spreadsheet a person can read, in the user's language: one section per kind of record
    (debts, contact log, reminders, reminders sent) with headers, then every other stored value
    in the technical form. Every stored row is in it; the JSON file is the complete copy."""
    words = catalog or Locales.load(PROJECT_ROOT / "locales").get(DEFAULT_LOCALE)
    states = [_state_of(row) for row in rows.get("users", [])]
    state = next((s for s in states if s is not None), None)
    sections = (
        _debt_section(state, words),
        _log_section(state, words),
        _payment_section(state, words),
        _reminder_section(rows.get("reminders", []), state, words),
        _sent_section(rows.get("reminders_sent", []), state, words),
        _other_section(rows, states, words),
    )
    return table_as_csv(line for section in sections for line in (*section, []))


Section = list[list[str]]
DEBT_COLUMNS = (
    "number",
    "platform",
    "lender",
    "contract_date",
    "borrowed",
    "received",
    "remaining_principal",
    "rate",
    "installments",
    "penalty",
    "due",
    "days_overdue",
    "owed_now",
    "paid_off",
    "agreement",
)
PAYMENT_COLUMNS = (
    "date",
    "platform",
    "kind",
    "amount",
    "to_charges",
    "to_principal",
    "balance_after",
    "waived",
)
LOG_COLUMNS = ("date", "platform", "kind", "channel", "who", "outcome", "terms", "behaviours")
REMINDER_COLUMNS = ("platform", "due_date", "when", "fire_at")
SENT_COLUMNS = ("platform", "due_date", "when", "fire_at", "outcome")
OTHER_COLUMNS = ("table", "row", "field", "value")
SENT_OUTCOMES = ("claimed", "sent", "skipped", "blocked", "failed")
# Values shown in the sections above, left out of the technical section below them.
_SHOWN = re.compile(
    r"^state\.(contact_log\[|payments\[\d+\]\.(debt_id|kind|amount|to_charges|to_principal"
    r"|balance_after|waived)$|debts\[\d+\]\.(id|platform|lender|contract_date|borrowed|received"
    r"|remaining_principal|rate|installments|penalty|due|days_overdue|owed_now|paid_off|agreement)"
    r"(\.|\[|$))"
)
_SHOWN_TABLES = ("reminders", "reminders_sent")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(value: str) -> str:
    # A typed name like "=HYPERLINK(...)" must stay text in Excel, not become a formula.
    if value[:1] in ("=", "+", "-", "@") and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _say(words: Catalog, key: str, **values: Value) -> str:
    return to_plain(words.render(text(key, **values)))


def _shown(words: Catalog, value: Value | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Text):
        return to_plain(words.render(value))
    return str(value)


def _heading(words: Catalog, section: str, columns: tuple[str, ...]) -> Section:
    return [
        [_say(words, f"privacy.csv.{section}")],
        [_say(words, f"privacy.csv.column.{c}") for c in columns],
    ]


def _nothing(words: Catalog) -> list[str]:
    return [_say(words, "privacy.csv.none")]


def _state_of(row: Mapping[str, Any]) -> UserState | None:
    with contextlib.suppress(ValueError, TypeError):
        return UserState.model_validate_json(str(row.get("state", "")))
    return None


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _debt_section(state: UserState | None, words: Catalog) -> Section:
    section = _heading(words, "debts", DEBT_COLUMNS)
    debts = state.debts if state else ()
    for number, debt in enumerate(debts, start=1):
        shown = shown_terms(debt)
        section.append(
            [
                str(number),
                debt.platform,
                _shown(words, shown["lender"]),
                debt.contract_date.isoformat() if debt.contract_date else "",
                _amount(debt.borrowed),
                _amount(debt.received),
                _amount(debt.remaining_principal),
                _shown(words, shown["rate"]),
                _shown(words, shown["installments"]),
                _shown(words, shown["penalty"]),
                _shown(words, shown["due"]),
                "" if debt.days_overdue is None else str(debt.days_overdue),
                _amount(debt.owed_now),
                _say(words, "privacy.csv.yes") if debt.paid_off else "",
                _shown(words, agreement_line(debt.agreement)) if debt.agreement else "",
            ]
        )
    return section if debts else [*section, _nothing(words)]


def _log_section(state: UserState | None, words: Catalog) -> Section:
    section = _heading(words, "log", LOG_COLUMNS)
    log = state.contact_log if state else ()
    for entry in log:
        values = entry_values(entry)
        behaviours = "; ".join(_say(words, f"collection.behaviour.{b}") for b in entry.behaviours)
        happened = "; ".join(part for part in (behaviours, entry.description or "") if part)
        section.append(
            [
                entry.on.isoformat(),
                _shown(words, values["platform"]),
                _say(words, f"privacy.csv.kind.{entry.kind}"),
                _shown(words, values["channel"]) if entry.channel else "",
                entry.who or "",
                _shown(words, values["outcome"]) if entry.outcome or entry.outcome_text else "",
                entry.terms or "",
                happened,
            ]
        )
    return section if log else [*section, _nothing(words)]


def _payment_section(state: UserState | None, words: Catalog) -> Section:
    """The payment log, oldest first, in the user's time zone: what was paid and how it was
    split, and the balance corrections as such."""
    section = _heading(words, "payments", PAYMENT_COLUMNS)
    payments = state.payments if state else ()
    zone = ZoneInfo(state.timezone if state else DEFAULT_TIMEZONE)
    for payment in sorted(payments, key=lambda p: (p.at, p.id)):
        section.append(
            [
                payment.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                _platform_of(state, payment.debt_id),
                _say(words, f"payments.kind.{payment.kind.value}"),
                _amount(payment.amount),
                _amount(payment.to_charges),
                _amount(payment.to_principal),
                _amount(payment.balance_after),
                _amount(payment.waived) if payment.waived else "",
            ]
        )
    return section if payments else [*section, _nothing(words)]


def _platform_of(state: UserState | None, debt_id: Any) -> str:
    debt = next((d for d in (state.debts if state else ()) if d.id == debt_id), None)
    return debt.platform if debt else str(debt_id)


def _when(words: Catalog, lead: Any) -> str:
    if not isinstance(lead, int):
        return str(lead)
    if lead < 0:
        return _say(words, "privacy.csv.lead_snoozed")
    if lead == 0:
        return _say(words, "privacy.csv.lead_same_day")
    return _say(words, "privacy.csv.lead_days", days=lead)


def _local_time(state: UserState | None, seconds: Any) -> str:
    zone = ZoneInfo(state.timezone if state else DEFAULT_TIMEZONE)
    with contextlib.suppress(TypeError, ValueError, OverflowError, OSError):
        return datetime.fromtimestamp(int(seconds), zone).strftime("%Y-%m-%d %H:%M")
    return str(seconds)


def _reminder_row(row: Mapping[str, Any], state: UserState | None, words: Catalog) -> list[str]:
    return [
        _platform_of(state, row.get("debt_id")),
        str(row.get("due_date", "")),
        _when(words, row.get("lead")),
        _local_time(state, row.get("fire_at")),
    ]


def _reminder_section(
    rows: list[dict[str, Any]], state: UserState | None, words: Catalog
) -> Section:
    section = _heading(words, "reminders", REMINDER_COLUMNS)
    # In the order they will be sent, as a person reads a schedule.
    section += [_reminder_row(row, state, words) for row in sorted(rows, key=_firing_order)]
    return section if rows else [*section, _nothing(words)]


def _firing_order(row: Mapping[str, Any]) -> tuple[int, int]:
    def number(value: Any) -> int:
        return value if isinstance(value, int) else 0

    return number(row.get("fire_at")), number(row.get("debt_id"))


def _sent_section(rows: list[dict[str, Any]], state: UserState | None, words: Catalog) -> Section:
    section = _heading(words, "sent", SENT_COLUMNS)
    for row in rows:
        outcome = str(row.get("outcome", ""))
        shown = (
            _say(words, f"privacy.csv.outcome.{outcome}") if outcome in SENT_OUTCOMES else outcome
        )
        section.append([*_reminder_row(row, state, words), shown])
    return section if rows else [*section, _nothing(words)]


def _other_section(
    rows: Mapping[str, list[dict[str, Any]]], states: list[UserState | None], words: Catalog
) -> Section:
    """Every stored value not shown above, one line each: table, row number, field, value."""
    section = _heading(words, "other", OTHER_COLUMNS)
    for table, table_rows in rows.items():
        if table in _SHOWN_TABLES:
            continue
        for number, row in enumerate(table_rows, start=1):
            readable = table == "users" and states[number - 1] is not None
            for path, value in _leaves(_unpacked(row)):
                if readable and _SHOWN.match(path):
                    continue
                section.append([table, str(number), path, value])
    return section


def table_as_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows of cells as a CSV that Excel opens with Chinese intact, and where no typed text
    can become a formula."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(strip_invisible("" if cell is None else str(cell))) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _unpacked(row: Mapping[str, Any]) -> dict[str, Any]:
    """Columns holding JSON documents are shown as the documents, not as strings."""
    unpacked = {}
    for column, value in row.items():
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        unpacked[column] = value
    return unpacked


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, "" if value is None else str(value)
