"""Numbers as people write them: digits, Chinese numerals, units and the words around them."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal(10) ** 9  # yuan; anything above is a typo, not a debt
MAX_INPUT = 40  # characters; an amount is never longer


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
