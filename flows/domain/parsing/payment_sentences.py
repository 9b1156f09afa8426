"""A payment told in passing: "今天还了借呗 800", "昨天还了信用卡2000", "还了 800 给借呗".

Pure. Finds the words for "paid" (never "not paid", "still owe" or "due day"), a day (today,
yesterday, 11月20日…), one amount (through flows.parsing, so 1.5万 and 两千五 work and a negative
or absurd amount is refused with the same reasons) and the platform, matched against the user's
own debts. Nothing is recorded here: the conversation asks the user to confirm.

Chinese words are \\u escapes (no CJK text in .py files); each says in a comment what it spells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flows.domain.ledger import Debt
from flows.domain.parsing.amounts import parse_amount
from flows.domain.parsing.answers import Invalid, Parsed
from flows.domain.parsing.dates import RELATIVE_DAYS
from flows.domain.parsing.numerals import normalise
from flows.domain.payment_log import PaymentKind

# "Paid": huan le, yi huan, huan shang, huan diao, gang huan, huan guo, yijing huan, huan qing,
# dao huan (pay back), and the English words.
_PAID = re.compile(
    "\u8fd8\u4e86|\u5df2\u8fd8|\u8fd8\u4e0a|\u8fd8\u6389|\u521a\u8fd8|\u8fd8\u8fc7"
    "|\u5df2\u7ecf\u8fd8|\u8fd8\u6e05|\u5f52\u8fd8\u4e86|repaid|paid|paidback"
)
# A day word followed by huan (repay), not by qian/sheng/you/yao/cha/shi/mei/bu/kuan: "jintian huan
# jiebei 800" (paid today), but not "jintian hai qian 800" (still owe today).
_DAY_THEN_PAID = re.compile(
    "(?:"
    + "|".join(sorted((re.escape(w) for w in RELATIVE_DAYS if not w.isascii()), key=len))
    + ")\u8fd8(?![\u6b20\u5269\u6709\u8981\u5dee\u662f\u6ca1\u4e0d\u6b3e])"
)
# Not paid: mei huan, hai mei, wei huan, huan bu shang, huan bu qi, meiyou huan, bu huan, and
# English negations.
_NOT_PAID = (
    "\u6ca1\u8fd8",
    "\u8fd8\u6ca1",
    "\u672a\u8fd8",
    "\u8fd8\u4e0d\u4e0a",
    "\u8fd8\u4e0d\u8d77",
    "\u6ca1\u6709\u8fd8",
    "\u4e0d\u8fd8",
    "\u8fd8\u4e0d\u4e86",
    "didn't",
    "didnot",
    "notpaid",
    "haven't",
    "unpaid",
    "can'tpay",
    "cannotpay",
)
# What kind of payment it was, by its words: duo huan / tiqian huan / ewai (extra); mai / bian mai
# (sold); jieqing / xieshang (agreed settlement).
_KIND_WORDS = (
    (PaymentKind.SETTLEMENT, ("\u7ed3\u6e05", "\u534f\u5546", "settle")),
    (PaymentKind.LUMP_SUM, ("\u5356", "\u53d8\u5356", "sold")),
    (PaymentKind.EXTRA, ("\u591a\u8fd8", "\u63d0\u524d\u8fd8", "\u989d\u5916", "extra")),
)
# Chinese numerals: ling (two forms), yi to jiu (er and liang), shi, bai, qian, wan, yi.
_CN_NUMERAL = (
    "\u96f6\u3007\u4e00\u4e8c\u4e24\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d"
    "\u5341\u767e\u5343\u4e07\u4ebf"
)
_CN_UNITS = "\u5341\u767e\u5343\u4e07\u4ebf"  # shi, bai, qian, wan, yi
# An amount: digits (with separators and decimals) or Chinese numerals, an optional unit (wan,
# qian, k, w) and an optional yuan word (yuan, kuai, kuai qian); a minus sign kept to refuse it.
_AMOUNT = re.compile(
    r"([-\u2212\u8d1f]?)"
    r"(\d[\d,]*(?:\.\d+)?(?:[\u4e07\u5343kw](?![a-z]))?|[" + _CN_NUMERAL + r"]+)"
    r"(?:\u5143|\u5757\u94b1|\u5757|rmb|yuan)?"
)
# A month and day: "11月20日" / "11月20号" / "11/20".
_MONTH_DAY = re.compile(r"(\d{1,2})\u6708(\d{1,2})[\u65e5\u53f7]?|(\d{1,2})/(\d{1,2})")
# Words around the platform that are not its name: gei (to), xiang (to), zai (at), de, le, wo (I),
# qian (money), bi (a sum), yi bi (one sum), yi qi / zhe qi / ben qi (an installment), and
# the English fillers.
_FILLERS = (
    "\u4e00\u7b14",
    "\u4e00\u671f",
    "\u8fd9\u671f",
    "\u672c\u671f",
    "\u7ed9",
    "\u5411",
    "\u5728",
    "\u7684",
    "\u4e86",
    "\u6211",
    "\u94b1",
    "\u7b14",
    "\u5df2\u7ecf",
    "to",
    "for",
    "on",
    "i",
)


@dataclass(frozen=True, slots=True)
class TypedPayment:
    """What a typed sentence says was paid; `problem` is a locale key when the amount is wrong."""

    amount: Decimal | None
    day: date
    debts: tuple[Debt, ...]  # the debts its platform could be: one, several, or none found
    guess: str  # what was left of the text where the platform should be
    kind: PaymentKind | None = None
    problem: str | None = None


def says_paid(cleaned: str) -> bool:
    if any(word in cleaned for word in _NOT_PAID):
        return False
    return bool(_PAID.search(cleaned) or _DAY_THEN_PAID.search(cleaned))


def read_payment(raw: str, debts: tuple[Debt, ...], today: date) -> TypedPayment | None:
    """The payment a sentence tells of, or None when it tells of none."""
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > 80 or not says_paid(cleaned):
        return None
    rest, day = _take_day(cleaned, today)
    matched, rest = _take_platform(rest, debts)
    kind = next((k for k, words in _KIND_WORDS if any(w in rest for w in words)), None)
    rest = _PAID.sub(" ", rest)
    rest = re.sub("\u8fd8", " ", rest)  # huan (repay) left over from "jintian huan"
    amount, problem, rest = _take_amount(rest)
    if amount is None and problem is None and not matched:
        return None  # "I paid" with neither an amount nor a platform: not a payment to record
    guess = rest
    for filler in sorted(_FILLERS, key=len, reverse=True):
        guess = guess.replace(filler, " ")
    guess = " ".join(guess.split())
    if not matched and guess:
        matched = _guessed(guess, debts)
    return TypedPayment(amount, day, matched, guess[:30], kind, problem)


def _take_day(cleaned: str, today: date) -> tuple[str, date]:
    for word in sorted(RELATIVE_DAYS, key=len, reverse=True):
        if word in cleaned and RELATIVE_DAYS[word] <= 0:
            return cleaned.replace(word, " ", 1), today + timedelta(days=RELATIVE_DAYS[word])
    match = _MONTH_DAY.search(cleaned)
    if match:
        month, day = (int(g) for g in (match[1] or match[3], match[2] or match[4]))
        for year in (today.year, today.year - 1):
            try:
                found = date(year, month, day)
            except ValueError:
                break
            if found <= today:
                return cleaned[: match.start()] + " " + cleaned[match.end() :], found
    return cleaned, today


def _key(name: str) -> str:
    return normalise(name)


def _take_platform(cleaned: str, debts: tuple[Debt, ...]) -> tuple[tuple[Debt, ...], str]:
    """The debts whose platform name appears in the text (the longest name wins)."""
    named = sorted(
        ((d, _key(d.platform)) for d in debts if _key(d.platform)),
        key=lambda pair: len(pair[1]),
        reverse=True,
    )
    for _debt, name in named:
        if name in cleaned:
            same = tuple(d for d, other in named if other == name)
            return same, cleaned.replace(name, " ", 1)
    return (), cleaned


def _guessed(guess: str, debts: tuple[Debt, ...]) -> tuple[Debt, ...]:
    """Debts whose name contains the leftover word, or is contained in it ("信用卡" finds
    "招行信用卡"); only words of two characters or more."""
    words = [w for w in guess.split() if len(w) >= 2]
    return tuple(
        d for d in debts if any(w in _key(d.platform) or _key(d.platform) in w for w in words)
    )


def _take_amount(rest: str) -> tuple[Decimal | None, str | None, str]:
    candidates = []
    for match in _AMOUNT.finditer(rest):
        number = match[2]
        if not number[0].isdigit() and len(number) < 2 and number not in _CN_UNITS:
            continue  # a lone yi (one) is a word ("yi bi"), not an amount
        if not number[0].isdigit() and not any(u in number for u in _CN_UNITS) and len(number) < 3:
            continue
        candidates.append(match)
    if not candidates:
        return None, None, rest
    if len(candidates) > 1:
        return None, "payments.typed.two_amounts", rest
    match = candidates[0]
    left = rest[: match.start()] + " " + rest[match.end() :]
    result = parse_amount(match[0])
    if isinstance(result, Parsed):
        return result.value, None, left
    assert isinstance(result, Invalid)
    return None, result.reason, left
