"""Step 3's arithmetic: what a month of income leaves for the debts once living is paid for.

Pure: the budget the user entered and the living floor (a setting) in, amounts out. Living is
never squeezed below the floor: when the user's essentials add up to less, the floor is
reserved instead, so a plan never depends on going without food or rent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import Field

from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.models import Frozen
from flows.domain.money import ZERO, yuan
from flows.domain.parsing.amounts import parse_amount_or_zero, range_ends
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult

# A sensible default for the living floor, in yuan a month; the shell's setting overrides it.
DEFAULT_LIVING_FLOOR = Decimal("1500")
CATEGORIES = ("rent", "utilities", "food", "transport", "family", "other")
# No plan is made further out than this many months (ten years).
HORIZON_MONTHS = 120
MAX_MONTHLY_AMOUNT = Decimal("10000000")
_MONTH_TEXT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class AssetSale(Frozen):
    """Something the user could sell, roughly for how much, and the month they expect it."""

    amount: Decimal = Field(gt=0)
    month: str = Field(pattern=_MONTH_TEXT.pattern)  # "YYYY-MM"


class Budget(Frozen):
    """A month of the user's money as they told it; a skipped category is 0."""

    income: Decimal = Field(ge=0)
    income_irregular: bool = False
    rent: Decimal = Field(default=ZERO, ge=0)
    utilities: Decimal = Field(default=ZERO, ge=0)
    food: Decimal = Field(default=ZERO, ge=0)
    transport: Decimal = Field(default=ZERO, ge=0)
    family: Decimal = Field(default=ZERO, ge=0)
    other: Decimal = Field(default=ZERO, ge=0)
    assets: tuple[AssetSale, ...] = ()

    @property
    def essentials(self) -> Decimal:
        return yuan(sum((getattr(self, c) for c in CATEGORIES), ZERO))


@dataclass(frozen=True, slots=True)
class Available:
    """The month's money: income, what living takes (never less than the floor), the rest."""

    income: Decimal
    essentials: Decimal
    floor: Decimal
    reserved: Decimal  # max(essentials, floor): what stays for living
    monthly: Decimal  # what is truly available for the debts, never negative

    @property
    def floor_applied(self) -> bool:
        return self.essentials < self.floor

    @property
    def nothing_left(self) -> bool:
        return self.monthly <= 0


def living_floor(ctx: Context) -> Decimal:
    """The floor from the settings, or the default when a context carries none."""
    configured = getattr(ctx.settings, "living_floor", None)
    return yuan(configured) if configured is not None else DEFAULT_LIVING_FLOOR


def available(budget: Budget, floor: Decimal) -> Available:
    essentials = budget.essentials
    reserved = max(essentials, yuan(floor))
    monthly = max(ZERO, yuan(budget.income - reserved))
    return Available(budget.income, essentials, yuan(floor), reserved, monthly)


# ---- months ---------------------------------------------------------------------------------


def month_key(start: date, offset: int) -> str:
    """'YYYY-MM' of the month `offset` months after the month of `start`."""
    index = start.year * 12 + start.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_offset(start: date, key: str) -> int:
    """How many months after the month of `start` the month 'YYYY-MM' is (negative: before)."""
    year, month = (int(part) for part in key.split("-"))
    return (year * 12 + month) - (start.year * 12 + start.month)


def asset_sales(budget: Budget, start: date) -> dict[int, Decimal]:
    """One-off money by plan month (1 = the month of `start`). A sale whose month has passed
    counts in month 1: the user still expects it, and it is not lost from the plan."""
    sales: dict[int, Decimal] = {}
    for sale in budget.assets:
        month = max(1, month_offset(start, sale.month) + 1)
        if month <= HORIZON_MONTHS:
            sales[month] = sales.get(month, ZERO) + sale.amount
    return sales


# ---- parsers for the budget questions -------------------------------------------------------


def parse_money(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """An amount of a month, 0 allowed ("0", "none"), within a sane monthly bound."""
    result = parse_amount_or_zero(raw, ctx)
    if isinstance(result, Parsed) and result.value > MAX_MONTHLY_AMOUNT:
        return Invalid("budget.amount.too_large")
    return result


def parse_income(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    # "3000-6000", "3000到6000" (3,000 to 6,000): an irregular income said as a range.
    """The monthly income. A range is asked back with its low end offered: the plan is built on
    a poor month (the question says so), and the higher end is never guessed."""
    result = parse_money(raw, ctx)
    if not (isinstance(result, Invalid) and result.reason == "parsing.amount.range"):
        return result
    typed_ends = range_ends(raw)
    ends = [parse_money(part, ctx) for part in typed_ends or ()]
    if typed_ends is None or not all(isinstance(end, Parsed) for end in ends):
        return result
    low = min(end.value for end in ends if isinstance(end, Parsed))
    return Ask(
        "budget.ask.income_range",
        (Option("budget.income_range_low", low, {"amount": money_text(low)}),),
        {"typed": raw.strip()[:40]},
    )


def parse_sale_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """What an asset could be sold for: more than zero (nothing to sell: skip the question)."""
    result = parse_money(raw, ctx)
    if isinstance(result, Parsed) and result.value <= 0:
        return Invalid("budget.amount.sale_zero")
    return result


# "in N months": N followed by ge yue (hou); "month N": N followed by yue; "YYYY nian M yue".
_IN_MONTHS = re.compile(
    r"^(\d{1,3})\s*(?:\u4e2a\u6708|\u4e2a\u6708\u540e|\u4e2a\u6708\u4ee5\u540e|months?)$"
)
_CALENDAR_MONTH = re.compile(r"^(\d{1,2})\s*(?:\u6708|\u6708\u4efd)$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:\u5e74|-|/|\.)\s*(\d{1,2})\s*\u6708?$")
_SMALL_NUMBERS = {
    "\u5341\u4e00": "11",
    "\u5341\u4e8c": "12",
    "\u5341": "10",
    "\u4e00": "1",
    "\u4e24": "2",
    "\u4e8c": "2",
    "\u4e09": "3",
    "\u56db": "4",
    "\u4e94": "5",
    "\u516d": "6",
    "\u4e03": "7",
    "\u516b": "8",
    "\u4e5d": "9",
}
_THIS_MONTH = {"\u8fd9\u4e2a\u6708", "\u672c\u6708", "now", "this month"}
_NEXT_MONTH = {"\u4e0b\u4e2a\u6708", "\u4e0b\u6708", "next month"}
_HALF_YEAR = "\u534a\u5e74"


def parse_sale_month(raw: str, ctx: Context) -> ParseResult[str]:
    """When an asset is expected to be sold, as 'YYYY-MM'. A bare 1-12 could be "in N months"
    or "month N": asked back, never guessed."""
    today = ctx.now.date()
    word = _with_digits(raw.strip().lower().replace(" ", ""))
    if word in _THIS_MONTH:
        return _offset(today, 0)
    if word in _NEXT_MONTH:
        return _offset(today, 1)
    if word.startswith(_HALF_YEAR):
        return _offset(today, 6)
    if match := _IN_MONTHS.match(word):
        return _offset(today, int(match.group(1)))
    if match := _CALENDAR_MONTH.match(word):
        return _calendar(today, int(match.group(1)))
    if match := _YEAR_MONTH.match(word):
        return _year_month(today, int(match.group(1)), int(match.group(2)))
    if word.isdigit():
        number = int(word)
        if 1 <= number <= 12:
            return _ask_which(today, number)
        return _offset(today, number)
    return Invalid("budget.month.not_understood")


# How far back an agreed arrangement's first month may be (it may have started already).
AGREED_MONTHS_BACK = 120


def parse_first_month(raw: str, ctx: Context) -> ParseResult[str]:
    """The month an agreed arrangement's first payment falls in, as 'YYYY-MM': the same answers
    as a sale month ("下个月", "3月", "2027-01"), and a month already past too (the arrangement
    may have started before it is recorded)."""
    result = parse_sale_month(raw, ctx)
    if isinstance(result, Invalid) and result.reason == "budget.month.past":
        match = _YEAR_MONTH.match(_with_digits(raw.strip().lower().replace(" ", "")))
        if match is not None:
            key = f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
            if month_offset(ctx.now.date(), key) >= -AGREED_MONTHS_BACK:
                return Parsed(key)
        return Invalid("agreement.month_too_old")
    return result


def _with_digits(word: str) -> str:
    for chinese, digits in _SMALL_NUMBERS.items():
        word = word.replace(chinese, digits)
    return word


def _offset(today: date, months: int) -> ParseResult[str]:
    if months > HORIZON_MONTHS:
        return Invalid("budget.month.too_far", {"limit": str(HORIZON_MONTHS)})
    return Parsed(month_key(today, months))


def _calendar(today: date, month: int) -> ParseResult[str]:
    if not 1 <= month <= 12:
        return Invalid("budget.month.not_understood")
    year = today.year if month >= today.month else today.year + 1
    return Parsed(f"{year:04d}-{month:02d}")


def _year_month(today: date, year: int, month: int) -> ParseResult[str]:
    if not 1 <= month <= 12:
        return Invalid("budget.month.not_understood")
    key = f"{year:04d}-{month:02d}"
    offset = month_offset(today, key)
    if offset < 0:
        return Invalid("budget.month.past")
    return _offset(today, offset)


def _ask_which(today: date, number: int) -> Ask[str]:
    in_months = month_key(today, number)
    calendar = _calendar(today, number)
    assert isinstance(calendar, Parsed)
    return Ask(
        "budget.month.which",
        (
            Option("budget.month.in_months", in_months, {"n": str(number), "month": in_months}),
            Option(
                "budget.month.calendar", calendar.value, {"n": str(number), "month": calendar.value}
            ),
        ),
        {"n": str(number)},
    )
