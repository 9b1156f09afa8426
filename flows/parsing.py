"""What people type about their debts, turned into values: amounts, rates, dates, days.

Every parser returns a `flows.answers` result: `Parsed(value)`, `Invalid(reason_key)` with a
locale key under `parsing.*`, or `Ask(question_key, options)` when the text could mean several
things (a bare "24%" could be a yearly or a monthly rate). Nothing here guesses silently.

Chinese characters live in the tables below as \\u escapes: .py files carry no CJK text (the
hook checks), and each constant says in a comment what it spells.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flows.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.core import Context
from flows.formatting import money_text, percent_text
from flows.ledger import DueSpec, PenaltyRule, RateQuote
from flows.money import Period, yuan

MAX_AMOUNT = Decimal(10) ** 9  # yuan; anything above is a typo, not a debt
MAX_INPUT = 40  # characters; an amount is never longer

# ---- Chinese numerals -----------------------------------------------------------------------

_DIGITS = {
    "\u96f6": 0,  # ling (zero)
    "\u3007": 0,  # ling (circle zero)
    "\u4e00": 1,  # yi
    "\u58f9": 1,  # yi (financial)
    "\u4e8c": 2,  # er
    "\u4e24": 2,  # liang
    "\u8d30": 2,  # er (financial)
    "\u4e09": 3,  # san
    "\u53c1": 3,  # san (financial)
    "\u56db": 4,  # si
    "\u8086": 4,  # si (financial)
    "\u4e94": 5,  # wu
    "\u4f0d": 5,  # wu (financial)
    "\u516d": 6,  # liu
    "\u9646": 6,  # liu (financial)
    "\u4e03": 7,  # qi
    "\u67d2": 7,  # qi (financial)
    "\u516b": 8,  # ba
    "\u634c": 8,  # ba (financial)
    "\u4e5d": 9,  # jiu
    "\u7396": 9,  # jiu (financial)
}
_SMALL_UNITS = {
    "\u5341": 10,  # shi (ten)
    "\u62fe": 10,  # shi (financial)
    "\u767e": 100,  # bai (hundred)
    "\u4f70": 100,  # bai (financial)
    "\u5343": 1000,  # qian (thousand)
    "\u4edf": 1000,  # qian (financial)
    "k": 1000,
}
_WAN = "\u4e07"  # wan (ten thousand)
_YI = "\u4ebf"  # yi (hundred million)
_BIG_UNITS = {_WAN: 10**4, "w": 10**4, _YI: 10**8}

_YUAN_WORDS = (
    "\u5757\u94b1",  # kuai qian
    "\u5757",  # kuai
    "\u5143",  # yuan
    "\u5706",  # yuan (formal)
    "\u4eba\u6c11\u5e01",  # renminbi
    "rmb",
    "cny",
    "yuan",
    "\u00a5",  # yen/yuan sign (full-width becomes this under NFKC)
)
_APPROX_WORDS = (
    "\u5927\u6982",  # dagai (about)
    "\u5927\u7ea6",  # dayue (about)
    "\u5dee\u4e0d\u591a",  # chabuduo (roughly)
    "\u7ea6",  # yue (about)
    "\u5de6\u53f3",  # zuoyou (or so)
    "\u4e00\u5171",  # yigong (in all)
    "\u603b\u5171",  # zonggong (in all)
)
# "1500元/月", "每月1500", "每期1000": the questions already ask per month or per period.
_PER_PERIOD_WORDS = (
    "/\u6708",  # /yue (a month)
    "\u6bcf\u6708",  # meiyue (each month)
    "\u6bcf\u4e2a\u6708",  # meigeyue (each month)
    "\u4e00\u4e2a\u6708",  # yigeyue (one month)
    "/\u671f",  # /qi (a period)
    "\u6bcf\u671f",  # meiqi (each period)
    "/month",
    "amonth",
    "permonth",
)
# Words people put before the number, naming what it is (left 20k, received 4,200, rent
# 1,800): the question already says what it asks. Never the words for "paid" (huan le,
# yi huan): paid 2,000 at "how much is left" means something else and is asked again.
_LABEL_WORDS = (
    "\u8fd8\u5269\u4e0b",  # huan shengxia (still left)
    "\u8fd8\u5269",  # huan sheng (still left)
    "\u5269\u4e0b",  # shengxia (left)
    "\u5269\u4f59",  # shengyu (left)
    "\u5269",  # sheng (left)
    "\u8fd8\u6b20",  # huan qian (still owe)
    "\u6b20\u4e86",  # qian le (owed)
    "\u6b20",  # qian (owe)
    "\u8981\u8fd8",  # yao huan (to repay)
    "\u501f\u4e86",  # jie le (borrowed)
    "\u501f",  # jie (borrowed)
    "\u5b9e\u9645\u5230\u624b",  # shiji daoshou (actually received)
    "\u5230\u624b",  # daoshou (received)
    "\u5230\u8d26",  # daozhang (arrived)
    "\u6536\u5165",  # shouru (income)
    "\u5de5\u8d44",  # gongzi (wages)
    "\u6708\u85aa",  # yuexin (monthly pay)
    "\u623f\u79df",  # fangzu (rent)
    "\u623f\u8d37",  # fangdai (mortgage)
    "\u79df\u91d1",  # zujin (rent)
    "\u6c34\u7535",  # shuidian (utilities)
    "\u8bdd\u8d39",  # huafei (phone bill)
    "\u5403\u996d",  # chifan (food)
    "\u4f19\u98df",  # huoshi (food)
    "\u4ea4\u901a",  # jiaotong (transport)
    "\u6cb9\u8d39",  # youfei (fuel)
    "\u5176\u4ed6",  # qita (other)
    "\u80fd\u5356",  # neng mai (could sell for)
    "\u5356",  # mai (sell for)
    "\u662f",  # shi (is)
    "\u5c31",  # jiu (just)
    "\u53ea\u6709",  # zhiyou (only)
)
_NEGATIVE_WORDS = ("-", "\u8d1f", "\u2212")  # minus, fu (negative), minus sign
_RANGE_WORDS = ("~", "\u5230", "\u81f3")  # tilde, dao (to), zhi (to)
# Where a range typed as text is cut in two: the words above, a hyphen, an en or em dash.
_RANGE_SPLIT = re.compile("|".join(map(re.escape, (*_RANGE_WORDS, "-", "\u2013", "\u2014"))))

_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")
_SPLIT_NUMBER = re.compile(r"\d\s+\d")


def normalise(raw: str) -> str:
    """Full-width to half-width (NFKC), lower case, no spaces."""
    folded = unicodedata.normalize("NFKC", raw).lower()
    return "".join(folded.split())


# ---- amounts ----------------------------------------------------------------------------------


def parse_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    # Examples people type: "1.5万", "两千五" (2500), "¥2,000", "2k".
    """An amount of money in yuan, more than zero, as people type it."""
    return _amount(raw, allow_zero=False)


def parse_amount_or_zero(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    # "Nothing" as typed: "0", "没有" (none).
    """An amount where nothing is a real answer ("0", "none"): spending, amount owed now."""
    return _amount(raw, allow_zero=True)


_NOTHING_WORDS = (
    "\u6ca1\u6709",  # meiyou (none)
    "\u65e0",  # wu (none)
    "\u96f6",  # ling (zero)
)


def _amount(raw: str, *, allow_zero: bool) -> ParseResult[Decimal]:
    if _SPLIT_NUMBER.search(unicodedata.normalize("NFKC", raw)):
        return Invalid("parsing.amount.not_number")  # "12 34": two numbers, not 1234
    cleaned = _strip_amount_words(normalise(raw))
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.amount.not_number")
    if allow_zero and cleaned in _NOTHING_WORDS:
        return Parsed(yuan(0))
    if cleaned.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.amount.negative")
    if any(word in cleaned for word in _RANGE_WORDS) or re.search(r"\d-\d", cleaned):
        return Invalid("parsing.amount.range")
    value = number_value(cleaned)
    if value is None:
        value = _amount_in_sentence(raw)
    if value is None:
        return Invalid("parsing.amount.not_number")
    return check_amount(value, allow_zero=allow_zero)


def _amount_in_sentence(raw: str) -> Decimal | None:
    # "到手也是15000" (received 15,000 too), "还剩8000没还" (8,000 left unpaid).
    """The one amount inside a sentence, when it is not counted per some other period than the
    question's (a daily amount is read by the monthly questions, flows.sentences)."""
    from flows.sentences import amount_in_sentence  # it reads numbers with this module

    said = amount_in_sentence(raw)
    if said is None or said.per not in (None, "month"):
        return None
    return said.value


def range_ends(raw: str) -> tuple[str, str] | None:
    """The two ends, as typed, of an amount said as a range ("3000到6000"); None if not two."""
    parts = _RANGE_SPLIT.split(raw.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def check_amount(value: Decimal, *, allow_zero: bool = False) -> ParseResult[Decimal]:
    """The limits every amount obeys: not negative, not zero unless allowed, at most 10^9."""
    if value < 0:
        return Invalid("parsing.amount.negative")
    if value > MAX_AMOUNT:
        return Invalid("parsing.amount.too_big")
    amount = yuan(value)
    if amount == 0 and not allow_zero:
        return Invalid("parsing.amount.zero")
    return Parsed(amount)


def _strip_amount_words(cleaned: str) -> str:
    return _strip_words(cleaned, (*_YUAN_WORDS, *_APPROX_WORDS, *_PER_PERIOD_WORDS, *_LABEL_WORDS))


def number_value(cleaned: str) -> Decimal | None:
    # Numbers: "12000", "2,000", "1.5万", "两千五" (2500), "一万二" (12000), "3k", "2w", "十万".
    # Not one number: "万五万五", "abc", "1,5".
    """A non-negative number written with Arabic digits, Chinese numerals or both.

    Thousands separators, "k" and "w" (wan) suffixes and Chinese units are understood. None
    when it is not one number (see the examples above).
    """
    if not cleaned:
        return None
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if "," in cleaned:
        return None
    tokens = _tokens(cleaned)
    if tokens is None:
        return None
    return _combine(tokens)


Token = tuple[str, Decimal]  # ("n", number) | ("u", small unit) | ("b", big unit) | ("z", 0)


def _tokens(cleaned: str) -> list[Token] | None:
    tokens: list[Token] = []
    i = 0
    while i < len(cleaned):
        ch = cleaned[i]
        match = _NUMBER.match(cleaned, i)
        if match:
            try:
                tokens.append(("n", Decimal(match.group())))
            except InvalidOperation:  # pragma: no cover - the regex admits only decimals
                return None
            i = match.end()
            continue
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            tokens.append(("z", Decimal(0)) if digit == 0 else ("n", Decimal(digit)))
        elif ch in _SMALL_UNITS:
            tokens.append(("u", Decimal(_SMALL_UNITS[ch])))
        elif ch in _BIG_UNITS:
            tokens.append(("b", Decimal(_BIG_UNITS[ch])))
        else:
            return None
        i += 1
    return tokens


def _combine(tokens: list[Token]) -> Decimal | None:
    # Units: 十 (10), 百 (100), 千 (1000) within a section; 万 (10^4), 亿 (10^8) close sections.
    # The abbreviation: "两千五" = 2500.
    """Chinese number grammar: sections of thousands/hundreds/tens under wan (10^4) and yi
    (10^8), with the spoken abbreviation that a last bare digit counts one unit lower
    ("two thousand five" = 2500)."""
    if tokens == [("z", Decimal(0))]:
        return Decimal(0)
    total = Decimal(0)
    section = Decimal(0)
    pending: Decimal | None = None  # a number waiting for its unit
    last_unit: Decimal | None = None  # the last unit seen, for the abbreviation
    section_unit: Decimal | None = None  # smallest small unit in this section so far
    after_zero = False
    big_seen: list[Decimal] = []
    for kind, value in tokens:
        if kind == "n":
            if pending is not None:
                # two numbers in a row: "一二", "12 34"
                return None
            pending = value
        elif kind == "z":
            if pending is not None or last_unit is None:
                return None
            after_zero = True
        elif kind == "u":
            if section_unit is not None and value >= section_unit:
                # units must fall: "一百千" is not a number
                return None
            if pending is None:
                if value != 10 or section or total:
                    # only "十" may stand without a number before it
                    return None
                pending = Decimal(1)
            section += pending * value
            pending, last_unit, section_unit, after_zero = None, value, value, False
        else:  # a big unit: wan, yi
            if pending is None and not section:
                # "万" with nothing before it: "万五万五"
                return None
            if any(seen <= value for seen in big_seen):
                # "一万万", "一万亿" out of order
                return None
            section += pending or 0
            if value > 10**4 and total:
                total = (total + section) * value
            else:
                total += section * value
            big_seen.append(value)
            section, pending, last_unit, section_unit, after_zero = (
                Decimal(0),
                None,
                value,
                None,
                False,
            )
    if pending is not None:
        if last_unit is not None and not after_zero and pending < 10 and pending == int(pending):
            # "两千五" = 2000 + 500
            section += pending * last_unit / 10
        elif last_unit is None or after_zero:
            section += pending
        else:
            # "一万12": not how anyone writes an amount
            return None
    return total + section


# ---- rates ------------------------------------------------------------------------------------

MAX_ANNUAL_RATE = Decimal(10)  # 1000% a year: beyond any real loan, so a typo
PLAUSIBLE_MIN_ANNUAL = Decimal("0.001")  # 0.1% a year: below this a reading is not meant

# Words naming the period, longest first so "/month" wins over "month".
_PERIOD_WORDS: tuple[tuple[str, Period], ...] = tuple(
    sorted(
        (
            ("\u65e5\u5229\u7387", Period.DAY),  # ri lilv (daily rate)
            ("\u65e5\u8d39\u7387", Period.DAY),  # ri feilv (daily fee rate)
            ("\u65e5\u606f", Period.DAY),  # ri xi (daily interest)
            ("\u65e5\u5229", Period.DAY),  # ri li
            ("\u6bcf\u65e5", Period.DAY),  # mei ri (each day)
            ("\u6bcf\u5929", Period.DAY),  # mei tian (each day)
            ("\u4e00\u5929", Period.DAY),  # yi tian (one day)
            ("\u65e5", Period.DAY),  # ri (day)
            ("\u5929", Period.DAY),  # tian (day)
            ("daily", Period.DAY),
            ("perday", Period.DAY),
            ("day", Period.DAY),
            ("\u6708\u5229\u7387", Period.MONTH),  # yue lilv (monthly rate)
            ("\u6708\u8d39\u7387", Period.MONTH),  # yue feilv (monthly fee rate)
            ("\u6708\u606f", Period.MONTH),  # yue xi (monthly interest)
            ("\u6708\u5229", Period.MONTH),  # yue li
            ("\u6bcf\u6708", Period.MONTH),  # mei yue (each month)
            ("\u4e00\u4e2a\u6708", Period.MONTH),  # yi ge yue (one month)
            ("\u6708", Period.MONTH),  # yue (month)
            ("monthly", Period.MONTH),
            ("permonth", Period.MONTH),
            ("month", Period.MONTH),
            ("\u5e74\u5316\u5229\u7387", Period.YEAR),  # nianhua lilv (annualised rate)
            ("\u7efc\u5408\u5e74\u5316", Period.YEAR),  # zonghe nianhua (all-in annualised)
            ("\u5e74\u5316", Period.YEAR),  # nianhua (annualised)
            ("\u5e74\u5229\u7387", Period.YEAR),  # nian lilv (annual rate)
            ("\u5e74\u8d39\u7387", Period.YEAR),  # nian feilv (annual fee rate)
            ("\u5e74\u606f", Period.YEAR),  # nian xi (annual interest)
            ("\u5e74\u5229", Period.YEAR),  # nian li
            ("\u6bcf\u5e74", Period.YEAR),  # mei nian (each year)
            ("\u5e74", Period.YEAR),  # nian (year)
            ("apr", Period.YEAR),
            ("annual", Period.YEAR),
            ("yearly", Period.YEAR),
            ("peryear", Period.YEAR),
            ("year", Period.YEAR),
        ),
        key=lambda pair: -len(pair[0]),
    )
)
_RATE_FILLERS = (
    "\u5229\u7387",  # lilv (rate)
    "\u5229\u606f",  # lixi (interest)
    "\u8d39\u7387",  # feilv (fee rate)
    "\u662f",  # shi (is)
    "\u4e3a",  # wei (is)
    "\u7684",  # de
    "\u6536",  # shou (charges)
    "/",
    "per",
    "a",
    *_APPROX_WORDS,
)
_FREE_WORDS = (
    "\u514d\u606f",  # mianxi (interest-free)
    "\u65e0\u606f",  # wuxi (no interest)
    "\u6ca1\u6709\u5229\u606f",  # meiyou lixi (no interest)
    "\u4e0d\u8981\u5229\u606f",  # buyao lixi (no interest)
    "\u6ca1\u5229\u606f",  # mei lixi (no interest)
    "\u65e0\u5229\u606f",  # wu lixi (no interest)
    "\u96f6\u5229\u606f",  # ling lixi (zero interest)
    "0\u5229\u606f",  # 0 lixi
    "\u4e0d\u6536\u5229\u606f",  # bu shou lixi (charges no interest)
    "\u4e0d\u7b97\u5229\u606f",  # bu suan lixi (no interest counted)
    "\u6ca1\u606f",  # mei xi (no interest)
    "\u514d\u5229\u606f",  # mian lixi (interest-free)
)
_PERCENT_OF = "\u767e\u5206\u4e4b"  # baifenzhi (percent)
_PER_TEN_THOUSAND = "\u4e07\u5206\u4e4b"  # wanfenzhi (per ten thousand)
_PER_THOUSAND = "\u5343\u5206\u4e4b"  # qianfenzhi (per thousand)
_FEN = "\u5206"  # fen: a tenth of the period's unit (monthly 1 fen = 1%)
_LI = "\u5398"  # li: a tenth of a fen
_PLAIN_NUMBER = re.compile(r"[\d.]+|[" + "".join(_DIGITS) + "\u5341]{1,4}")  # shi (ten)
_SMALL_NUMBER = re.compile(r"[\d.]+|[" + "".join(_DIGITS) + r"]{1,2}")
# One fen per period, as a fraction (facts section 7: month 1 fen = 1%, year 1 fen = 10%,
# day 1 fen = 0.1%).
FEN_SCALE = {
    Period.DAY: Decimal("0.001"),
    Period.MONTH: Decimal("0.01"),
    Period.YEAR: Decimal("0.1"),
}
PERIODS = (Period.DAY, Period.MONTH, Period.YEAR)


# fei (fee), as in 月费率 (monthly fee rate), 手续费 (handling fee), 服务费 (service fee)
_FEE_RATE_MARK = "\u8d39"


def parse_loan_rate(raw: str, ctx: Context | None = None) -> ParseResult[RateQuote]:
    # Fee rates as written: "月费率0.6%" (monthly fee rate), "手续费" (handling fee).
    """A loan's interest rate. A fee rate ("monthly fee 0.6%") is charged on the original
    principal every period, so it is not an interest rate: the real cost is about 1.5 times
    it for 3 periods, rising to about 1.85 times (data/legal_facts.toml, fee_factor_*); it is
    refused with a pointer to the installment questions."""
    if _FEE_RATE_MARK in normalise(raw):
        facts = getattr(getattr(ctx, "facts", None), "legal_facts", None)
        names = (
            "fee_periods_short",
            "fee_factor_short",
            "fee_periods_long",
            "fee_factor_long",
        )
        values = {n: facts.value(n, "zh-CN") if facts else "" for n in names}
        return Invalid("parsing.rate.fee_rate", values)
    return parse_rate(raw, ctx)


def parse_rate(raw: str, ctx: Context | None = None) -> ParseResult[RateQuote]:
    # As quoted: "日息万五" (0.05% a day), "月息2分" (2% a month), "月利率1.5%", "年化24%".
    # Without a period: "24%", "万五", "2分". A period word without "%": "年化24".
    """A rate as people quote it: a period word (daily, monthly, annual) and a value.

    Without a period ("24%", "wan wu", "2 fen") the answer is a question: which period? Only
    readings between 0.1% and 1000% a year are offered. A number without "%" after a period
    word ("annual 24") is read as a percentage when the other reading is beyond any real loan,
    and asked back when both could be meant.
    """
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > MAX_INPUT:
        return Invalid("parsing.rate.not_understood")
    if (
        _strip_words(cleaned, ("\u7684", "\u554a", "\u5440", "\u5427")) in _FREE_WORDS
    ):  # de, a, ya, ba
        return Parsed(RateQuote(per_period=Decimal(0), period=Period.YEAR))
    periods, rest = _take_periods(cleaned)
    if len(periods) > 1:
        return Invalid("parsing.rate.two_periods")
    period = periods[0] if periods else None
    rest = _strip_words(rest, _RATE_FILLERS)
    if rest.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.rate.negative")
    return _rate_from_value(rest, period, raw.strip())


def _take_periods(cleaned: str) -> tuple[list[Period], str]:
    found: list[Period] = []
    for word, period in _PERIOD_WORDS:
        if word in cleaned:
            cleaned = cleaned.replace(word, "")
            if period not in found:
                found.append(period)
    return found, cleaned


def _strip_words(cleaned: str, words: tuple[str, ...]) -> str:
    """Remove any of `words` from both ends, again and again, while something is left."""
    ordered = sorted(words, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for word in ordered:
            if cleaned.startswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[len(word) :], True
            if cleaned.endswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[: -len(word)], True
    return cleaned


def _rate_from_value(rest: str, period: Period | None, typed: str) -> ParseResult[RateQuote]:
    fraction = _explicit_fraction(rest)
    if fraction == 0:
        return Parsed(RateQuote(per_period=Decimal(0), period=period or Period.YEAR))
    if fraction is not None:
        if period is not None:
            return _one_rate(fraction, period)
        return _which_period([RateQuote(per_period=fraction, period=p) for p in PERIODS], typed)
    fen = _fen_count(rest)
    if fen is not None:
        if period is not None:
            return _one_rate(fen * FEN_SCALE[period], period)
        return _which_period(
            [RateQuote(per_period=fen * FEN_SCALE[p], period=p) for p in PERIODS], typed
        )
    bare = number_value(rest)
    if bare is None:
        return Invalid("parsing.rate.not_understood")
    if bare == 0:
        return Parsed(RateQuote(per_period=Decimal(0), period=period or Period.YEAR))
    if period is None:
        return _which_period([RateQuote(per_period=bare / 100, period=p) for p in PERIODS], typed)
    readings = [RateQuote(per_period=bare / 100, period=period)]
    if bare < 1:
        readings.append(RateQuote(per_period=bare, period=period))
    plausible = [q for q in readings if _plausible(q)]
    if len(plausible) == 1:
        return Parsed(plausible[0])
    if not plausible:
        return Invalid("parsing.rate.too_high")
    return _ask_rate("parsing.rate.which_reading", plausible, typed)


def _explicit_fraction(rest: str) -> Decimal | None:
    # e.g. "24%", "0.5‰", "百分之24" (24 percent), "万五", "万分之五" (5 per ten thousand)
    """Values whose size is written out: percent, per mille, per ten thousand."""
    if rest.endswith("%"):
        number = number_value(rest[:-1])
        return None if number is None else number / 100
    if rest.endswith("\u2030"):  # per mille sign
        number = number_value(rest[:-1])
        return None if number is None else number / 1000
    for prefix, divisor in (
        (_PERCENT_OF, 100),
        (_PER_TEN_THOUSAND, 10000),
        (_PER_THOUSAND, 1000),
        (_WAN, 10000),
    ):
        if rest.startswith(prefix):
            tail = rest[len(prefix) :]
            if prefix == _WAN and not _SMALL_NUMBER.fullmatch(tail):
                # "万五万五" is not one rate
                return None
            number = number_value(tail)
            return None if number is None else number / divisor
    return None


def _fen_count(rest: str) -> Decimal | None:
    # "2分" -> 2, "1分5" or "一分五厘" -> 1.5, "5厘" -> 0.5
    """A rate in fen and li (a li is a tenth of a fen), counted in fen."""
    if _FEN not in rest:
        if not rest.endswith(_LI):
            return None
        tenths = number_value(rest[: -len(_LI)])
        return None if tenths is None else tenths / 10
    whole_text, _, tail = rest.partition(_FEN)
    tail = tail.removesuffix(_LI)
    whole = number_value(whole_text)
    tenths = number_value(tail) if tail else Decimal(0)
    if whole is None or tenths is None or tenths >= 10:
        return None
    return whole + tenths / 10


def _one_rate(fraction: Decimal, period: Period) -> ParseResult[RateQuote]:
    quote = RateQuote(per_period=fraction, period=period)
    if quote.rate().annual_simple() > MAX_ANNUAL_RATE:
        return Invalid("parsing.rate.too_high")
    return Parsed(quote)


def _plausible(quote: RateQuote) -> bool:
    annual = quote.rate().annual_simple()
    return PLAUSIBLE_MIN_ANNUAL <= annual <= MAX_ANNUAL_RATE


def _which_period(candidates: list[RateQuote], typed: str) -> ParseResult[RateQuote]:
    plausible = [q for q in candidates if _plausible(q)]
    if not plausible:
        return Invalid("parsing.rate.too_high")
    return _ask_rate("parsing.rate.which_period", plausible, typed)


def _ask_rate(question: str, options: list[RateQuote], typed: str) -> Ask[RateQuote]:
    # One plausible reading is confirmed, not offered as a "which one?" with one choice.
    return Ask(
        "parsing.rate.confirm" if len(options) == 1 else question,
        tuple(
            Option(
                f"parsing.rate.option.{q.period.value}",
                q,
                {
                    "rate": percent_text(q.per_period, 4),
                    "annual": percent_text(q.rate().annual_simple()),
                },
            )
            for q in options
        ),
        {"typed": typed[:MAX_INPUT]},
    )


# ---- dates ------------------------------------------------------------------------------------

_NUM = "[0-9" + "".join(_DIGITS) + "\u5341]+"  # digits, Chinese digits and shi (ten)
_YEAR_WORD = "\u5e74"  # nian (year)
_MONTH_WORD = "\u6708"  # yue (month)
_DAY_WORDS = "[\u65e5\u53f7]"  # ri, hao (day of month)
_FULL_DATE = (
    re.compile(r"(\d{4}|\d{2})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(f"({_NUM}){_YEAR_WORD}({_NUM}){_MONTH_WORD}({_NUM}){_DAY_WORDS}?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_MONTH_DAY = (
    re.compile(f"({_NUM}){_MONTH_WORD}({_NUM}){_DAY_WORDS}?"),
    re.compile(r"(\d{1,2})[-/](\d{1,2})"),
)
_YEAR_MONTH = (
    re.compile(f"({_NUM}){_YEAR_WORD}({_NUM}){_MONTH_WORD}(?:{_DAY_WORDS}|\u4efd)?"),  # fen
    re.compile(r"(\d{4})[-/](\d{1,2})"),
)
# Days said relative to today: jintian/jinri (today), zuotian/zuori (yesterday), qiantian (the
# day before), daqiantian (three days ago), mingtian (tomorrow), houtian (the day after).
RELATIVE_DAYS = {
    "\u4eca\u5929": 0,
    "\u4eca\u65e5": 0,
    "\u6628\u5929": -1,
    "\u6628\u65e5": -1,
    "\u524d\u5929": -2,
    "\u5927\u524d\u5929": -3,
    "\u660e\u5929": 1,
    "\u540e\u5929": 2,
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
}
# Months relative to this one: xiageyue/xiayue (next), shangeyue/shangyue (last), benyue,
# zhegeyue, zheyue (this), each followed by a day: "xiageyue 5 hao".
_RELATIVE_MONTHS = {
    "\u4e0b\u4e2a\u6708": 1,
    "\u4e0b\u6708": 1,
    "\u4e0a\u4e2a\u6708": -1,
    "\u4e0a\u6708": -1,
    "\u672c\u6708": 0,
    "\u8fd9\u4e2a\u6708": 0,
    "\u8fd9\u6708": 0,
}
_RELATIVE_MONTH_DAY = re.compile(
    "(" + "|".join(sorted(_RELATIVE_MONTHS, key=len, reverse=True)) + f")({_NUM}){_DAY_WORDS}?"
)
FIRST_YEAR = 1990  # online lending did not exist before; an earlier year is a typo
LAST_YEAR = 2100


def parse_date(raw: str, ctx: Context | None = None) -> ParseResult[date]:
    # e.g. "2023-09-01", "2023/9/1", "2023年9月1日", "23.9.1", "20230901"; no year: "9月1日".
    """A calendar date, with digits or Chinese year/month/day marks.

    Without a year (only month and day) it asks which year, offering this year and the next.
    """
    return _date(raw, ctx, past_only=False)


def parse_past_date(raw: str, ctx: Context | None = None) -> ParseResult[date]:
    """A date that has already happened, such as a contract date; never later than today."""
    return _date(raw, ctx, past_only=True)


def _date(raw: str, ctx: Context | None, *, past_only: bool) -> ParseResult[date]:
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.date.not_understood")
    today = _today(ctx)
    found = _full_date(cleaned)
    if found is None and today is not None:
        found = _relative_date(cleaned, today)
    if isinstance(found, Invalid):
        return found
    if found is not None:
        if past_only and today is not None and found > today:
            return Invalid("parsing.date.future")
        return Parsed(found)
    month_day = _month_day(cleaned)
    if month_day is None:
        result = _month_only(cleaned, raw, today, past_only=past_only)
        if isinstance(result, Invalid) and result.reason == "parsing.date.not_understood":
            return _remembered(raw, today, result)
        return result
    if today is None:
        return Invalid("parsing.date.need_year")
    month, day = month_day
    years = (today.year - 1, today.year) if past_only else (today.year, today.year + 1)
    options = []
    for year in years:
        candidate = _real_date(year, month, day)
        if candidate is None or (past_only and candidate > today):
            continue
        options.append(Option("parsing.date.option", candidate, {"date": candidate.isoformat()}))
    if not options:
        return Invalid("parsing.date.no_such_day")
    question = "parsing.date.confirm_year" if len(options) == 1 else "parsing.date.which_year"
    return Ask(question, tuple(options), {"typed": raw.strip()[:MAX_INPUT]})


def _relative_date(cleaned: str, today: date) -> date | Invalid | None:
    """ "zuotian" (yesterday) and the like; "xiageyue 5 hao" (the 5th of next month)."""
    if cleaned in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[cleaned])
    match = _RELATIVE_MONTH_DAY.fullmatch(cleaned)
    if not match:
        return None
    day = number_value(match[2])
    if day is None or day != int(day):
        return Invalid("parsing.date.not_understood")
    year, month = _shift_month(today.year, today.month, _RELATIVE_MONTHS[match[1]])
    found = _real_date(year, month, int(day))
    return found if found is not None else Invalid("parsing.date.no_such_day")


def _remembered(raw: str, today: date | None, otherwise: Invalid) -> ParseResult[date]:
    # "上周五" (last Friday), "去年过年的时候" (at the new year last year), "三个月前".
    """A day as people remember it, offered back to confirm (flows.relative_dates)."""
    from flows.relative_dates import approximate  # it reads numbers with this module

    found = approximate(raw, today) if today is not None else None
    if found is None:
        return otherwise
    option = Option("parsing.date.option_first", found, {"date": found.isoformat()})
    values = {"typed": raw.strip()[:MAX_INPUT], "date": found.isoformat()}
    return Ask("parsing.date.approx", (option,), values)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _month_only(
    cleaned: str, raw: str, today: date | None, *, past_only: bool
) -> ParseResult[date]:
    """A year and month without a day ("2023-09"): ask for the day, offering the 1st spelt out (the
    answer is confirmed, never a silent guess)."""
    for pattern in _YEAR_MONTH:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        year, month = (_date_part(group) for group in match.groups())
        if year is None or month is None or year != int(year) or month != int(month):
            return Invalid("parsing.date.not_understood")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return Invalid("parsing.date.year_range")
        first = _real_date(int(year), int(month), 1)
        if first is None:
            return Invalid("parsing.date.no_such_day")
        if past_only and today is not None and first > today:
            return Invalid("parsing.date.future")
        option = Option("parsing.date.option_first", first, {"date": first.isoformat()})
        return Ask("parsing.date.which_day", (option,), {"typed": raw.strip()[:MAX_INPUT]})
    return Invalid("parsing.date.not_understood")


def _today(ctx: Context | None) -> date | None:
    return ctx.now.date() if ctx is not None and ctx.now is not None else None


def _full_date(cleaned: str) -> date | Invalid | None:
    for pattern in _FULL_DATE:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        parts = [_date_part(group) for group in match.groups()]
        if any(p is None or p != int(p) for p in parts):
            return Invalid("parsing.date.not_understood")
        year, month, day = (int(p) for p in parts)  # type: ignore[arg-type]
        if year < 100:
            year += 2000
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return Invalid("parsing.date.year_range")
        found = _real_date(year, month, day)
        return found if found is not None else Invalid("parsing.date.no_such_day")
    return None


def _date_part(group: str) -> Decimal | None:
    # e.g. "2023", "九" (9), "二〇二三" (2023, read digit by digit)
    """A year, month or day in digits or Chinese numerals (a long one read digit by digit)."""
    if len(group) > 2 and all(ch in _DIGITS for ch in group):
        return Decimal("".join(str(_DIGITS[ch]) for ch in group))
    return number_value(group)


def _month_day(cleaned: str) -> tuple[int, int] | None:
    for pattern in _MONTH_DAY:
        match = pattern.fullmatch(cleaned)
        if match:
            month, day = (number_value(group) for group in match.groups())
            if month is None or day is None or month != int(month) or day != int(day):
                return None
            return int(month), int(day)
    return None


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---- due day ----------------------------------------------------------------------------------

_MONTH_END_WORDS = (
    "\u6708\u5e95",  # yuedi (end of month)
    "\u6708\u672b",  # yuemo (end of month)
    "\u6700\u540e\u4e00\u5929",  # zuihou yi tian (the last day)
)
_EVERY_MONTH_WORDS = (
    "\u6bcf\u4e2a\u6708",  # meige yue (every month)
    "\u6bcf\u6708",  # mei yue (every month)
    "\u6708",  # yue (month)
    "\u8fd8\u6b3e\u65e5",  # huankuan ri (repayment day)
    "\u662f",  # shi (is)
    "\u7684",  # de
)
_DAY_SUFFIXES = ("\u53f7", "\u65e5")  # hao, ri (day of month)
LAST_DAY = 31  # "the 31st" means the month's last day (DueSpec)


def parse_due(raw: str, ctx: Context | None = None) -> ParseResult[DueSpec]:
    # e.g. "15号" (the 15th), "每月15日" (the 15th of every month), "月底" (month end)
    """When payment is due: a day of the month, the month's last day, or one date."""
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.due.not_understood")
    if any(word in cleaned for word in _MONTH_END_WORDS):
        return Parsed(DueSpec.monthly(LAST_DAY))
    monthly = _strip_words(cleaned, _EVERY_MONTH_WORDS)
    day_text = monthly
    for suffix in _DAY_SUFFIXES:
        day_text = day_text.removesuffix(suffix)
    plain = bool(_PLAIN_NUMBER.fullmatch(day_text))
    day = number_value(day_text) if plain else None
    if day is not None:
        if day != int(day) or not 1 <= day <= LAST_DAY:
            return Invalid("parsing.due.day_range")
        return Parsed(DueSpec.monthly(int(day)))
    on = parse_date(raw, ctx)
    if isinstance(on, Parsed) and _RELATIVE_MONTH_DAY.fullmatch(cleaned):
        return _monthly_or_once(on.value, raw)
    if isinstance(on, Parsed):
        return Parsed(DueSpec.once(on.value))
    if isinstance(on, Ask):
        return Ask(
            on.question,
            tuple(Option(o.label, DueSpec.once(o.value), o.label_values) for o in on.options),
            on.values,
        )
    if on.reason == "parsing.date.not_understood":
        return Invalid("parsing.due.not_understood")
    return on


def _monthly_or_once(day: date, raw: str) -> Ask[DueSpec]:
    # "xiageyue 5 hao" (the 5th of next month) answers "which day each month?" as well as "the
    # one date": ask which, never guess.
    options = (
        Option("parsing.due.option_monthly", DueSpec.monthly(day.day), {"day": str(day.day)}),
        Option("parsing.due.option_once", DueSpec.once(day), {"date": day.isoformat()}),
    )
    return Ask("parsing.due.which_kind", options, {"typed": raw.strip()[:MAX_INPUT]})


# ---- days overdue -----------------------------------------------------------------------------

MAX_DAYS_OVERDUE = 36500
_NOT_OVERDUE_WORDS = (
    "\u6ca1\u903e\u671f",  # mei yuqi (not overdue)
    "\u672a\u903e\u671f",  # wei yuqi (not overdue)
    "\u8fd8\u6ca1\u903e\u671f",  # hai mei yuqi (not overdue yet)
    "\u6ca1\u6709\u903e\u671f",  # meiyou yuqi (not overdue)
    "\u6ca1\u6709",  # meiyou (none)
    "\u6ca1",  # mei (no)
    "\u65e0",  # wu (none)
)
_OVERDUE_FILLERS = (
    "\u903e\u671f\u4e86",  # yuqi le (overdue)
    "\u903e\u671f",  # yuqi (overdue)
    "\u5df2\u7ecf",  # yijing (already)
    "\u5df2",  # yi (already)
    "\u4e86",  # le
    *_APPROX_WORDS,
)
_DAY_UNITS = ("\u5929", "\u65e5", "days", "day", "d")  # tian, ri (day)
_WEEK_UNITS = ("\u4e2a\u661f\u671f", "\u661f\u671f", "\u5468", "weeks", "week")  # week
_MONTH_UNITS = ("\u4e2a\u6708", "months", "month")  # ge yue (month)
_YEAR_UNITS = ("\u5e74", "years", "year")  # nian (year)
_HALF = "\u534a"  # ban (half)
DAYS_PER_MONTH_ESTIMATE = 30
_DUO = "\u591a"  # duo: "yi ge duo yue" (a month and more), "20 duo tian" (20-odd days)
_MORE_AFTER = re.compile(
    "(?<=[0-9" + "".join(_DIGITS) + "".join(_SMALL_UNITS) + "\u4e2a\u534a])" + _DUO  # ge, ban
)
_MORE_ENDINGS = (_DUO, "\u51fa\u5934")  # duo, chutou ("a month chutou": just over a month)
_NEARLY_WORDS = (
    "\u5feb",  # kuai (almost)
    "\u5c06\u8fd1",  # jiangjin (nearly)
    "\u63a5\u8fd1",  # jiejin (close to)
    "\u4e0d\u5230",  # budao (not quite)
)


def parse_days_overdue(raw: str, ctx: Context | None = None) -> ParseResult[int]:
    # e.g. "30天" (30 days), "两周" (two weeks), "0"/"没逾期" (not overdue); "3个月" (3 months)
    """How many days a payment is late: days, weeks, "not overdue", or the date it fell due.

    Months and years are not a whole number of days: "3 months" is asked back as
    "about 90 days?".
    """
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.days.not_understood")
    if cleaned in _NOT_OVERDUE_WORDS:
        return Parsed(0)
    cleaned = _strip_words(cleaned, _OVERDUE_FILLERS)
    if cleaned.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.days.negative")
    cleaned, vague = _without_vague_words(cleaned)
    # "一个半月" (a month and a half) is said with the half before the unit: "一个月半".
    cleaned = cleaned.replace("\u4e2a\u534a\u6708", "\u4e2a\u6708\u534a")
    cleaned = cleaned.replace("\u4e2a\u534a\u661f\u671f", "\u4e2a\u661f\u671f\u534a")
    exact = _count_with_units(cleaned, ("", *_DAY_UNITS), 1)
    if exact is None:
        exact = _count_with_units(cleaned, _WEEK_UNITS, 7)
    if exact is not None and vague:
        # "20 duo tian", "kuai 10 tian": a rough count, confirmed before it is used.
        return _about_days(exact, raw, vague)
    if exact is not None:
        return _days_in_range(exact)
    months = _count_with_units(cleaned, _MONTH_UNITS, 1)
    if months is None:
        years = _count_with_units(cleaned, _YEAR_UNITS, 1)
        months = None if years is None else years * 12
    if months is not None:
        return _about_days(months * DAYS_PER_MONTH_ESTIMATE, raw, vague or "about")
    since = parse_past_date(raw, ctx)
    today = _today(ctx)
    if isinstance(since, Parsed) and today is not None:
        return _days_in_range((today - since.value).days)
    if isinstance(since, Ask) and today is not None:
        # "10月1日" without a year: the days since each possible year's day, most recent first.
        options = tuple(
            Option(
                "parsing.days.option_since",
                (today - o.value).days,
                {"days": str((today - o.value).days), "date": o.value.isoformat()},
            )
            for o in sorted(since.options, key=lambda o: o.value, reverse=True)
            if isinstance(_days_in_range((today - o.value).days), Parsed)
        )
        if options:
            return Ask("parsing.days.about", options, {"typed": raw.strip()[:MAX_INPUT]})
    if isinstance(since, Invalid) and since.reason == "parsing.date.future":
        return Invalid("parsing.days.future")
    return Invalid("parsing.days.not_understood")


def _without_vague_words(cleaned: str) -> tuple[str, str]:
    """The count without "duo" (more than) or "kuai" (almost), and which one it had: "more",
    "nearly" or ""."""
    for word in _NEARLY_WORDS:
        if cleaned.startswith(word) and len(cleaned) > len(word):
            return cleaned[len(word) :], "nearly"
    without = _MORE_AFTER.sub("", cleaned, count=1)
    if without != cleaned:
        return without, "more"
    for ending in _MORE_ENDINGS:
        if cleaned.endswith(ending) and len(cleaned) > len(ending):
            return cleaned[: -len(ending)], "more"
    return cleaned, ""


def _about_days(days: Decimal | int, raw: str, vague: str) -> ParseResult[int]:
    """Ask back a rough count of days: at least `days` for "more", about `days` otherwise."""
    about = int(days)
    checked = _days_in_range(about)
    if not isinstance(checked, Parsed):
        return checked
    question = "parsing.days.about_more" if vague == "more" else "parsing.days.about"
    return Ask(
        question,
        (Option("parsing.days.option_about", about, {"days": str(about)}),),
        {"typed": raw.strip()[:MAX_INPUT]},
    )


def _count_with_units(cleaned: str, units: tuple[str, ...], scale: int) -> Decimal | None:
    # "3个月" with month units -> 3; "半个月" (half a month) -> 0.5; "一年半" -> 1.5
    """A count of `units` times `scale`, halves included; None if no unit fits."""
    for unit in sorted(units, key=len, reverse=True):
        if unit and unit not in cleaned:
            continue
        head, _, tail = cleaned.partition(unit) if unit else (cleaned, "", "")
        half = Decimal("0.5") if tail == _HALF else Decimal(0)
        if tail and not half:
            continue
        # "半个月": half a month
        if head in (_HALF, _HALF + "\u4e2a"):
            return Decimal("0.5") * scale
        count = number_value(head.removesuffix("\u4e2a"))  # ge: the measure word
        if count is not None:
            return (count + half) * scale
    return None


def _days_in_range(days: Decimal | int) -> ParseResult[int]:
    if days != int(days):
        return Invalid("parsing.days.not_understood")
    if days < 0:
        return Invalid("parsing.days.negative")
    if days > MAX_DAYS_OVERDUE:
        return Invalid("parsing.days.too_many")
    return Parsed(int(days))


# ---- installments -----------------------------------------------------------------------------

MAX_PERIODS = 600
_PERIOD_COUNT_UNITS = ("\u671f", "\u4e2a\u6708", "\u6708", "\u6b21")  # qi, ge yue, yue, ci


def parse_periods(raw: str, ctx: Context | None = None) -> ParseResult[int]:
    # e.g. "12", "12期", "十二期", "12个月", "2年" (24)
    """How many monthly payments: a number of installments or months, or years (x 12)."""
    cleaned = _strip_words(normalise(raw), ("\u5206", "\u5171", "\u4e00\u5171"))  # fen, gong
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.periods.not_understood")
    count = _count_with_units(cleaned, ("", *_PERIOD_COUNT_UNITS), 1)
    if count is None:
        years = _count_with_units(cleaned, _YEAR_UNITS, 1)
        count = None if years is None else years * 12
    if count is None or count != int(count):
        return Invalid("parsing.periods.not_understood")
    if not 1 <= count <= MAX_PERIODS:
        return Invalid("parsing.periods.range")
    return Parsed(int(count))


# ---- penalty ----------------------------------------------------------------------------------

_PENALTY_NAMES = (
    "\u7f5a\u606f",  # faxi (penalty interest)
    "\u903e\u671f\u8d39",  # yuqi fei (late fee)
    "\u6ede\u7eb3\u91d1",  # zhinajin (late charge)
    "\u8fdd\u7ea6\u91d1",  # weiyuejin (liquidated damages)
    "\u7f5a\u91d1",  # fajin (fine)
    "\u903e\u671f",  # yuqi (overdue)
    "\u6536",  # shou (charges)
)
_FEE_MARKS = (
    "\u6bcf\u6b21",  # meici (each time)
    "\u6bcf\u671f",  # meiqi (each installment)
    "\u6bcf\u7b14",  # meibi (each loan)
    "\u4e00\u6b21",  # yici (once)
)
_PENALTY_SPLIT = re.compile(r"[+;\u548c\u3001\u52a0]|,(?!\d{3})")  # plus, he, dunhao, jia
_NONE_WORDS = (
    "\u6ca1\u6709",  # meiyou (none)
    "\u65e0",  # wu (none)
    "\u6ca1\u6709\u7f5a\u606f",  # meiyou faxi (no penalty)
    "\u4e0d\u6536",  # bu shou (not charged)
    "0",
)


DAILY_PLACES = Decimal("1e-10")  # a daily rate converted from a monthly one is not exact


def parse_penalty(raw: str, ctx: Context | None = None) -> ParseResult[PenaltyRule]:
    # e.g. "罚息日万五" (penalty 0.05% a day), "0.1%/天", "每次100元" (100 yuan each time),
    # "日万五+每次50元" (both), "没有" (none).
    """What lateness costs: a penalty rate (converted to a daily rate), a fixed fee per
    occurrence, or both. "None" means no penalty."""
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > MAX_INPUT:
        return Invalid("parsing.penalty.not_understood")
    if cleaned in _NONE_WORDS:
        return Parsed(PenaltyRule(daily_rate=Decimal(0)))
    rates: list[ParseResult[RateQuote]] = []
    fees: list[ParseResult[Decimal]] = []
    for part in filter(None, _PENALTY_SPLIT.split(cleaned)):
        part = _strip_words(part, _PENALTY_NAMES)
        if any(mark in part for mark in _FEE_MARKS) or part.endswith(_YUAN_WORDS):
            for mark in _FEE_MARKS:
                part = part.replace(mark, "")
            fees.append(parse_amount(part))
        elif number_value(part) is not None:
            return _bare_penalty(part, raw)
        else:
            rates.append(parse_rate(part))
    if len(rates) > 1 or len(fees) > 1 or not (rates or fees):
        return Invalid("parsing.penalty.not_understood")
    return _combine_penalty(rates[0] if rates else None, fees[0] if fees else None)


def _combine_penalty(
    rate: ParseResult[RateQuote] | None, fee: ParseResult[Decimal] | None
) -> ParseResult[PenaltyRule]:
    if isinstance(fee, Invalid):
        return fee
    if isinstance(rate, Invalid):
        return rate
    fixed_fee = fee.value if isinstance(fee, Parsed) else None
    if isinstance(rate, Ask):
        return Ask(
            rate.question,
            tuple(
                Option(o.label, _penalty(o.value, fixed_fee), o.label_values) for o in rate.options
            ),
            rate.values,
        )
    quote = rate.value if isinstance(rate, Parsed) else None
    return Parsed(_penalty(quote, fixed_fee))


def _penalty(quote: RateQuote | None, fixed_fee: Decimal | None) -> PenaltyRule:
    daily = None if quote is None else quote.rate().daily_simple().quantize(DAILY_PLACES)
    return PenaltyRule(daily_rate=daily, fixed_fee=fixed_fee)


def _bare_penalty(part: str, raw: str) -> ParseResult[PenaltyRule]:
    """A number alone: yuan per late payment, or a daily rate in percent? Ask."""
    number = number_value(part)
    assert number is not None
    options: list[Option[PenaltyRule]] = []
    fee = check_amount(number)
    if isinstance(fee, Parsed):
        options.append(
            Option(
                "parsing.penalty.option_fee",
                PenaltyRule(fixed_fee=fee.value),
                {"fee": money_text(fee.value)},
            )
        )
    daily = RateQuote(per_period=number / 100, period=Period.DAY)
    if _plausible(daily):
        options.append(
            Option(
                "parsing.penalty.option_daily",
                PenaltyRule(daily_rate=daily.per_period),
                {
                    "rate": percent_text(daily.per_period, 4),
                    "annual": percent_text(daily.rate().annual_simple()),
                },
            )
        )
    if not options:
        return Invalid("parsing.penalty.not_understood")
    question = "parsing.penalty.confirm" if len(options) == 1 else "parsing.penalty.which"
    return Ask(question, tuple(options), {"typed": raw.strip()[:MAX_INPUT]})
