"""Named legal facts (article numbers, phone numbers, rates, dates) from data/legal_facts.toml.

A locale string never types a legal number: it names a placeholder, and `values` fills it from
here, with the fact's verification mark beside it (`<name>_mark`: empty when VERIFIED, soft
words otherwise), so an unverified fact is worded softly wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.domain.collection_facts import MARKS, Localized, _localized
from flows.domain.context import Context
from flows.domain.texts import Value, text


@dataclass(frozen=True, slots=True)
class LegalFact:
    """One fact: its value as shown (per language), source, verification mark, date checked."""

    name: str
    value: Localized
    source: str
    mark: str
    checked_on: date | None = None


@dataclass(frozen=True, slots=True)
class LegalFacts:
    facts: Mapping[str, LegalFact] = field(default_factory=dict)
    checked_on: date | None = None

    def get(self, name: str) -> LegalFact | None:
        return self.facts.get(name)

    def value(self, name: str, locale: str) -> str:
        """The fact as shown; '' when the data file does not have it."""
        fact = self.facts.get(name)
        return fact.value.get(locale) if fact else ""

    def mark(self, name: str) -> str:
        fact = self.facts.get(name)
        return fact.mark if fact else "UNVERIFIED"

    def on(self, name: str) -> date | None:
        """A fact whose value is a date (e.g. a rule in force from), parsed; None otherwise."""
        fact = self.facts.get(name)
        if fact is None:
            return None
        try:
            return date.fromisoformat(fact.value.zh)
        except ValueError:
            return None


def legal_facts_from_data(data: Mapping[str, Any]) -> LegalFacts:
    facts: dict[str, LegalFact] = {}
    for name, raw in data.get("fact", {}).items():
        mark = raw["mark"]
        if mark not in MARKS:
            raise ValueError(f"unknown verification mark {mark!r} for fact {name}")
        value = raw["value"]
        facts[name] = LegalFact(
            name=name,
            value=_localized(str(value) if not isinstance(value, Mapping) else value),
            source=raw["source"],
            mark=mark,
            checked_on=raw.get("checked_on", data.get("checked_on")),
        )
    return LegalFacts(facts=facts, checked_on=data.get("checked_on"))


def legal_facts(ctx: Context) -> LegalFacts:
    found = getattr(ctx.facts, "legal_facts", None)
    return found if isinstance(found, LegalFacts) else LegalFacts()


def soft_mark(mark: str) -> Value:
    """Nothing for a fact read in the law text; soft words for second-hand or unverified."""
    if mark == "VERIFIED":
        return ""
    return text("guidance.mark.second" if mark == "VERIFIED-2nd" else "guidance.mark.unverified")


def fact_values(facts: LegalFacts, locale: str, *names: str) -> dict[str, Value]:
    """Placeholders `<name>` (the fact as shown) and `<name>_mark` (its soft mark)."""
    values: dict[str, Value] = {}
    for name in names:
        values[name] = facts.value(name, locale)
        values[f"{name}_mark"] = soft_mark(facts.mark(name))
    return values
