"""Budget answers said as sentences: 月薪6000 at "is your income fixed?", 每天100元 at a monthly
question, 吃饭一个月1000 at the utilities question — understood, said back, never misfiled."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flows.domain.budget import CATEGORIES, parse_money
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.parsing.amounts import range_ends
from flows.domain.parsing.answers import Also, Ask, Elsewhere, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.numerals import normalise
from flows.domain.parsing.sentences import amount_in_sentence, per_month

Parser = Callable[[str, Context], ParseResult[Decimal]]

# Words that name a spending category; a sentence naming another category than the question's
# is asked back before anything is stored.
CATEGORY_WORDS = {
    "rent": ("房租", "租金", "房贷", "租房", "月供", "住房"),
    "utilities": ("水电", "电费", "水费", "燃气", "煤气", "话费", "网费", "宽带", "物业"),
    "food": ("吃饭", "伙食", "饭钱", "买菜", "吃的", "外卖", "日用品", "饭费"),
    "transport": ("交通", "油费", "加油", "地铁", "公交", "打车", "通勤", "车费"),
    "family": ("父母", "爸妈", "孩子", "小孩", "学费", "家用", "奶粉", "赡养"),
    "other": ("看病", "吃药", "药费", "医药", "保险", "医疗"),
}
IRREGULAR_WORDS = (
    "不固定",
    "不稳定",
    "不一定",
    "零工",
    "提成",
    "自由职业",
    "外卖",
    "跑单",
    "看情况",
    "时多时少",
    "有时候",
    "没收入",
    "没有收入",
    "失业",
    "没工作",
    "没有工作",
)
FIXED_WORDS = ("固定", "稳定", "月薪", "工资", "上班", "底薪")
_YES = ("是", "是的", "对", "嗯", "差不多", "基本是")
_NO_INCOME = ("没收入", "没有收入", "失业", "没工作", "没有工作")


def monthly(base: Parser, *, question: str = "") -> Parser:
    """`base`, plus an amount counted per day, week or year turned into a month's, which is
    said back with a button before it is stored."""

    def parse(raw: str, ctx: Context) -> ParseResult[Decimal]:
        said = amount_in_sentence(raw)
        if said is None or said.per in (None, "month"):
            return base(raw, ctx)
        amount = per_month(said)
        checked = base(str(amount), ctx)
        if not isinstance(checked, Parsed):
            return checked
        values = {
            "typed": raw.strip()[:40],
            "amount": money_text(amount),
            "each": money_text(said.value),
        }
        option = Option("budget.per_period.use", checked.value, {"amount": money_text(amount)})
        return Ask(f"budget.per_period.{said.per}", (option,), values)

    return parse


def category(name: str, base: Parser) -> Parser:
    """The parser of one spending question: a sentence naming another category is asked back
    (「记为伙食 1,000 元，对吗？」), offering that category and this one."""
    read = monthly(spending_range(base))

    def parse(raw: str, ctx: Context) -> ParseResult[Decimal]:
        result = read(raw, ctx)
        named = categories_in(raw)
        if len(named) != 1 or name in named:
            return result
        (other,) = named
        amount: Decimal | None = None
        if isinstance(result, Parsed):
            amount = result.value
        elif isinstance(result, Ask) and len(result.options) == 1:
            amount = result.options[0].value
        if amount is None:
            return result
        shown = {"amount": money_text(amount)}
        options = (
            Option(f"budget.record_as.{other}", Elsewhere(other, amount), shown),
            Option(f"budget.record_as.{name}", amount, shown),
        )
        return Ask(f"budget.other_category.{other}", options, shown)

    return parse


def spending_range(base: Parser) -> Parser:
    # "一千五到两千" (1,500 to 2,000) for rent: the plan is safer on the higher end.
    """`base`, and a spending said as a range asked back with its higher end offered (income
    is asked with its lower end: both keep the plan on the safe side)."""

    def parse(raw: str, ctx: Context) -> ParseResult[Decimal]:
        result = base(raw, ctx)
        if not (isinstance(result, Invalid) and result.reason == "parsing.amount.range"):
            return result
        ends = [base(part, ctx) for part in range_ends(raw) or ()]
        if len(ends) != 2 or not all(isinstance(end, Parsed) for end in ends):
            return result
        high = max(end.value for end in ends if isinstance(end, Parsed))
        shown = {"amount": money_text(high)}
        option = Option("budget.per_period.use", high, shown)
        return Ask("budget.ask.spending_range", (option,), {"typed": raw.strip()[:40], **shown})

    return parse


def categories_in(raw: str) -> set[str]:
    cleaned = normalise(raw)
    return {name for name, words in CATEGORY_WORDS.items() if any(w in cleaned for w in words)}


def income_kind(raw: str, ctx: Context) -> ParseResult[object]:
    """ "Is your income about the same each month?" answered in words, with the amount when
    one is said (月薪6000: fixed, and the income question is answered too)."""
    cleaned = normalise(raw)
    said = amount_in_sentence(raw)
    income = said.value if said is not None and said.per in (None, "month") else None
    if any(word in cleaned for word in _NO_INCOME):
        return Parsed(Also("irregular", {"income": Decimal(0)}))
    kind = None
    if any(word in cleaned for word in IRREGULAR_WORDS):
        kind = "irregular"
    elif cleaned in _YES or any(word in cleaned for word in FIXED_WORDS):
        kind = "fixed"
    if kind is not None:
        others = {} if income is None or not _fits(income, ctx) else {"income": income}
        return Parsed(Also(kind, others) if others else kind)
    if income is not None and _fits(income, ctx):
        shown = {"amount": money_text(income)}
        options = tuple(
            Option(f"budget.kind_with_amount.{k}", Also(k, {"income": income}), shown)
            for k in ("fixed", "irregular")
        )
        return Ask("budget.ask.kind_of_amount", options, shown)
    return Invalid("form.use_buttons")


def _fits(amount: Decimal, ctx: Context) -> bool:
    return isinstance(parse_money(str(amount), ctx), Parsed)


__all__ = ["CATEGORIES", "category", "income_kind", "monthly"]
