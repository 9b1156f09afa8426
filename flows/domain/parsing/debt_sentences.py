"""Debt answers said in words — 一样 (received = borrowed), 不是分期 (no installments) — and the
friendly second look at answers that are possible but unlikely (10000 days overdue)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flows.domain.apr import installment_apr
from flows.domain.context import Context
from flows.domain.formatting import money_text, percent_text
from flows.domain.parsing.answers import Ask, Elsewhere, Option, Parsed, ParseResult
from flows.domain.parsing.numerals import normalise

Parser = Callable[[str, Context], ParseResult[Any]]

# Received = borrowed: nothing was deducted.
SAME_RECEIVED = (
    "一样",
    "一样的",
    "一样多",
    "也一样",
    "相同",
    "同上",
    "没扣",
    "没有扣",
    "没扣钱",
    "没被扣",
    "全部到手",
    "全额到手",
    "都到手了",
    "一分没少",
)
# Remaining = borrowed: nothing repaid yet.
SAME_REMAINING = (
    "一样",
    "一样的",
    "一样多",
    "相同",
    "同上",
    "一分没还",
    "一分都没还",
    "一点没还",
    "还没还",
    "都没还",
    "没还过",
    "全部没还",
    "还没开始还",
)
NOT_INSTALLMENTS = (
    "不是分期",
    "没分期",
    "没有分期",
    "不分期",
    "不是",
    "一次性",
    "一次性还",
    "一次还清",
    "到期一次还",
    "到期还",
)
_ENDINGS = ("的", "啊", "呀", "吧", "呢", "了", "。", "!", ".")
MANY_DAYS = 5 * 365  # overdue longer than five years: asked back
MANY_PERIODS = 360  # thirty years of monthly payments: asked back
MAX_PLAUSIBLE_APR = Decimal(100)  # 10,000% a year: beyond any real loan, even a usurious one


def _said(raw: str, words: tuple[str, ...]) -> bool:
    cleaned = normalise(raw)
    while cleaned.endswith(_ENDINGS) and len(cleaned) > 1:
        cleaned = cleaned[:-1]
    return cleaned in words


# Words that say which amount of a debt a sentence gives (到手 received, 还剩 left, ...).
AMOUNT_WORDS = {
    "borrowed": ("合同", "借款金额", "借了", "借的"),
    "received": ("到手", "到账", "实际拿到", "实际收到"),
    "remaining_principal": ("还剩", "剩下", "剩余", "本金"),
    "payment": ("每期", "每个月还", "每月还", "月供"),
    "owed_now": ("一共要还", "总共要还", "连本带息", "现在要还", "总共欠"),
}


def naming(name: str, base: Parser) -> Parser:
    # "到手18000" typed at "how much on the contract": asked "记为实际到手 18,000 元，对吗？".
    """`base`, but an amount named as another of the debt's amounts is asked back, offering
    that question (the form files it there, or drops the offer if it has no such question)
    and this one."""

    def parse(raw: str, ctx: Context) -> ParseResult[Any]:
        result = base(raw, ctx)
        if not isinstance(result, Parsed) or not isinstance(result.value, Decimal):
            return result
        cleaned = normalise(raw)
        if any(word in cleaned for word in AMOUNT_WORDS.get(name, ())):
            return result
        named = [other for other, words in AMOUNT_WORDS.items() if any(w in cleaned for w in words)]
        if len(named) != 1 or named[0] == name:
            return result
        (other,) = named
        shown = {"amount": money_text(result.value)}
        options = (
            Option(f"debts.record_as.{other}", Elsewhere(other, result.value), shown),
            Option(f"debts.record_as.{name}", result.value, shown),
        )
        return Ask(f"debts.other_amount.{other}", options, shown)

    return parse


def or_same(base: Parser, same: str, words: tuple[str, ...]) -> Parser:
    """`base`, and the button value `same` when the words say "the same as borrowed"."""

    def parse(raw: str, ctx: Context) -> ParseResult[Any]:
        return Parsed(same) if _said(raw, words) else base(raw, ctx)

    return parse


def or_not_installments(base: Parser) -> Parser:
    """`base`, and no answer at all (the question is skipped) for "not in installments"."""

    def parse(raw: str, ctx: Context) -> ParseResult[Any]:
        return Parsed(None) if _said(raw, NOT_INSTALLMENTS) else base(raw, ctx)

    return parse


def overdue_doubt(draft: dict[str, Any], days: Any, ctx: Context) -> Ask[int] | None:
    """Days overdue beyond the days since the contract date (impossible), or beyond five
    years (unlikely): asked back before anything is stored."""
    if not isinstance(days, int):
        return None
    contract = _date(draft.get("contract_date"))
    today = ctx.now.date() if ctx.now is not None else None
    if contract is not None and today is not None:
        since = (today - contract).days
        if 0 <= since < days:
            values = {"days": str(days), "since": str(since), "contract": contract.isoformat()}
            option = Option("debts.doubt.use_since", since, {"since": str(since)})
            return Ask("debts.doubt.overdue_before_contract", (option,), values)
    if days > MANY_DAYS:
        values = {"days": str(days), "years": str(round(days / 365, 1))}
        keep = Option("debts.doubt.keep_days", days, {"days": str(days)})
        return Ask("debts.doubt.overdue_long", (keep,), values)
    return None


def periods_doubt(draft: dict[str, Any], periods: Any, _ctx: Context) -> Ask[int] | None:
    """More than 360 monthly payments (thirty years), or payments that make the real rate
    over 10,000% a year (a typo in the payment or the amount, most likely): asked back."""
    if not isinstance(periods, int):
        return None
    keep = Option("debts.doubt.keep_periods", periods, {"periods": str(periods)})
    if periods > MANY_PERIODS:
        values = {"periods": str(periods), "years": str(round(Decimal(periods) / 12, 1))}
        return Ask("debts.doubt.periods", (keep,), values)
    principal = _money(draft.get("received")) or _money(draft.get("borrowed"))
    payment = _money(draft.get("payment"))
    if principal is None or payment is None or periods <= 0:
        return None
    result = installment_apr(principal, payment, periods)
    too_high = result is None and payment * periods > principal
    if too_high or (result is not None and result.nominal_annual > MAX_PLAUSIBLE_APR):
        values = {
            "periods": str(periods),
            "payment": money_text(payment),
            "principal": money_text(principal),
            "limit": percent_text(MAX_PLAUSIBLE_APR),
        }
        return Ask("debts.doubt.apr", (keep,), values)
    return None


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None
    return amount if amount is not None and amount.is_finite() and amount > 0 else None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
