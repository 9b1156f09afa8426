"""Every legal number a reply states comes from data/, with its source, date and mark: no
article number, percentage or phone number is typed into a locale string, and the facts file
itself is complete (and its own arithmetic, the fee-rate factor, is right)."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation import guidance
from flows.domain.apr import installment_apr
from flows.domain.collection_facts import MARKS, Localized
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.legal_facts import LegalFact, LegalFacts
from flows.domain.money import Period

LOCALES = Locales.load(PROJECT_ROOT / "locales")
DATA = PROJECT_ROOT / "data"

# A legal number: an article (第十六条, art. 16), a percentage, a multiple (4 倍, 4 times), or
# a phone number (110, 12368, 400-810-8866). "120字" (a length) and "100 元" are not.
LEGAL_NUMBER = re.compile(
    r"第[零〇一二三四五六七八九十百千\d]+条"
    r"|\bart(?:icle)?s?\.?\s*\d+"
    r"|\d+(?:\.\d+)?\s*[%％]"
    r"|\d+(?:\.\d+)?\s*(?:倍|times\b)"
    r"|(?<![\d.,])(?:11\d|12\d|12\d{3}|400-?\d{3}-?\d{4})(?![\d.,])"
    r"(?!\s*(?:字|元|天|期|个|yuan|character|day))",
    re.IGNORECASE,
)
# Where a percentage is how to TYPE a rate ("日息万五", "年化24%"), not a legal figure.
INPUT_EXAMPLES = ("parsing.", "debts.ask.rate", "debts.ask.penalty")


def _strings(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _strings(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_no_legal_number_is_typed_into_a_locale_string(locale: str):
    path = PROJECT_ROOT / "locales" / f"{locale}.toml"
    found = []
    for key, value in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
        for match in LEGAL_NUMBER.finditer(value):
            is_example = key.startswith(INPUT_EXAMPLES) and "%" in match.group()
            if not is_example:
                found.append((key, match.group()))
    assert found == [], "use a placeholder filled from data/legal_facts.toml"


def test_the_pattern_catches_what_it_guards():
    for typed in ("第十六条", "art. 16", "24%", "4 倍", "4 times", "110", "12368", "400-810-8866"):
        assert LEGAL_NUMBER.search(typed), typed
    for ordinary in ("120字以内", "每月 100 元", "3–6 个月", "30 天", "{police}"):
        assert not LEGAL_NUMBER.search(ordinary), ordinary


# ---- the facts file -------------------------------------------------------------------------


def test_every_fact_has_a_value_source_date_and_mark(facts: Facts):
    raw = tomllib.loads((DATA / "legal_facts.toml").read_text(encoding="utf-8"))
    assert raw["checked_on"]
    for name, entry in raw["fact"].items():
        assert entry.get("value") and entry.get("source"), name
        assert entry["mark"] in MARKS, name
    assert set(facts.legal_facts.facts) == set(raw["fact"])
    assert all(f.checked_on is not None for f in facts.legal_facts.facts.values())


def test_every_placeholder_a_locale_names_for_a_fact_exists(facts: Facts):
    # A {name}_mark placeholder says the locale uses the fact {name}: it must be in the data.
    for locale in ("zh-CN", "en"):
        path = PROJECT_ROOT / "locales" / f"{locale}.toml"
        for key, value in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            for name in re.findall(r"\{(\w+)_mark\}", value):
                if name in ("why",):  # a collection rule's own mark, not a legal fact
                    continue
                assert facts.legal_facts.get(name) is not None, (key, name)


@pytest.mark.parametrize("fee", ["0.003", "0.006", "0.01"])
def test_the_fee_rate_factors_are_what_the_irr_gives(facts: Facts, fee: str):
    # A fee rate f a month on the original principal, n equal payments: real APR / (12 f).
    def factor(periods: int) -> Decimal:
        payment = Decimal(10000) / periods + Decimal(10000) * Decimal(fee)
        result = installment_apr(Decimal(10000), payment, periods, Period.MONTH)
        assert result is not None
        return result.nominal_annual / (Decimal(fee) * 12)

    book = facts.legal_facts
    short = int(book.value("fee_periods_short", "zh-CN"))
    assert abs(factor(short) - Decimal(book.value("fee_factor_short", "zh-CN"))) < Decimal("0.05")
    long = Decimal(book.value("fee_factor_long", "zh-CN"))
    for periods in (12, 24, 36):
        assert abs(factor(periods) - long) < Decimal("0.1"), periods


# ---- replies follow the data ----------------------------------------------------------------


def _with_fact(facts: Facts, name: str, value: str) -> Facts:
    book = dict(facts.legal_facts.facts)
    old = book[name]
    book[name] = LegalFact(name, Localized(value, value), old.source, old.mark, old.checked_on)
    return dataclasses.replace(facts, legal_facts=LegalFacts(book, facts.legal_facts.checked_on))


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("court_hotline", lambda ctx: guidance.lawsuit_note(ctx)),
        ("credit_center_phone", lambda ctx: guidance.scam_warning(ctx)),
        ("police", lambda ctx: guidance.channels_reply(ctx, "zh-CN")),
    ],
)
def test_a_number_changed_in_the_data_changes_the_reply(ctx: Context, name, reply):
    changed = dataclasses.replace(ctx, facts=_with_fact(ctx.facts, name, "98765"))
    assert "98765" in LOCALES.get("zh-CN").render(reply(changed).text)


def test_an_unverified_fact_is_worded_softly_where_it_is_stated(ctx: Context):
    # 12363's current remit is not verified: the reply says so right beside it.
    text = LOCALES.get("zh-CN").render(guidance.scam_warning(ctx).text)
    assert "12363（未核实，仅供参考）" in text
    assert "400-810-8866（来自非官方资料，仅供参考）" in text
