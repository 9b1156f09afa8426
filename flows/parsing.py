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
from decimal import Decimal, InvalidOperation

from flows.answers import Invalid, Parsed, ParseResult
from flows.core import Context
from flows.money import yuan

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
_NEGATIVE_WORDS = ("-", "\u8d1f", "\u2212")  # minus, fu (negative), minus sign
_RANGE_WORDS = ("~", "\u5230", "\u81f3")  # tilde, dao (to), zhi (to)

_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")
_SPLIT_NUMBER = re.compile(r"\d\s+\d")


def normalise(raw: str) -> str:
    """Full-width to half-width (NFKC), lower case, no spaces."""
    folded = unicodedata.normalize("NFKC", raw).lower()
    return "".join(folded.split())


# ---- amounts ----------------------------------------------------------------------------------


def parse_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """An amount of money in yuan, more than zero: "1.5万", "两千五", "¥2,000", "2k"."""
    return _amount(raw, allow_zero=False)


def parse_amount_or_zero(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """An amount where nothing is a real answer ("0", "没有"): spending, amount owed now."""
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
        return Invalid("parsing.amount.not_number")
    return check_amount(value, allow_zero=allow_zero)


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
    changed = True
    while changed:
        changed = False
        for word in (*_YUAN_WORDS, *_APPROX_WORDS):
            if cleaned.startswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[len(word) :], True
            if cleaned.endswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[: -len(word)], True
    return cleaned


def number_value(cleaned: str) -> Decimal | None:
    """A non-negative number written with Arabic digits, Chinese numerals or both.

    "12000", "2,000", "1.5万", "两千五" (2500), "一万二" (12000), "3k", "2w", "十万".
    None when it is not one number ("万五万五", "abc", "1,5").
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
    """Chinese number grammar: sections of 千/百/十 under 万 and 亿, with the spoken
    abbreviation that a last bare digit counts one unit lower ("两千五" = 2500)."""
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
                return None  # two numbers in a row: "一二", "12 34"
            pending = value
        elif kind == "z":
            if pending is not None or last_unit is None:
                return None
            after_zero = True
        elif kind == "u":
            if section_unit is not None and value >= section_unit:
                return None  # units must fall: "一百千" is not a number
            if pending is None:
                if value != 10 or section or total:
                    return None  # only "十" may stand without a number before it
                pending = Decimal(1)
            section += pending * value
            pending, last_unit, section_unit, after_zero = None, value, value, False
        else:  # a big unit: wan, yi
            if pending is None and not section:
                return None  # "万" with nothing before it: "万五万五"
            if any(seen <= value for seen in big_seen):
                return None  # "一万万", "一万亿" out of order
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
            section += pending * last_unit / 10  # "两千五" = 2000 + 500
        elif last_unit is None or after_zero:
            section += pending
        else:
            return None  # "一万12": not how anyone writes an amount
    return total + section
