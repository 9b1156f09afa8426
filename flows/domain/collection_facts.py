"""Facts of steps 5-6 as typed values: complaint channels, collection rules, intent patterns.

Built from plain data (the parsed data/*.toml files) by the `*_from_data` functions, which the
shell's loader calls; flows only reads the results.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

DEFAULT_LANGUAGE = "zh-CN"
ANY = "any"
MARKS = ("VERIFIED", "VERIFIED-2nd", "UNVERIFIED")
VERDICTS = ("unlawful", "likely_unlawful", "warning_sign")


@dataclass(frozen=True, slots=True)
class Localized:
    """A short fact text in Chinese and English."""

    zh: str
    en: str = ""

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") and self.en else self.zh


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: Localized
    purpose: Localized
    reach: Localized
    lender_kinds: tuple[str, ...]
    behaviours: tuple[str, ...]
    source: str
    mark: str

    def fits_lender(self, kind: str | None) -> bool:
        return kind is None or ANY in self.lender_kinds or kind in self.lender_kinds

    def fits_any(self, topics: tuple[str, ...]) -> bool:
        return ANY in self.behaviours or any(t in self.behaviours for t in topics)


@dataclass(frozen=True, slots=True)
class ChannelBook:
    checked_on: date | None = None
    channels: tuple[Channel, ...] = ()

    def fitting(self, topics: tuple[str, ...], lender: str | None) -> tuple[Channel, ...]:
        """Channels for these behaviours (or topics) and this lender kind (None: any lender)."""
        return tuple(c for c in self.channels if c.fits_any(topics) and c.fits_lender(lender))


@dataclass(frozen=True, slots=True)
class Law:
    id: str
    name: Localized
    says: Localized
    mark: str
    cite: Localized | None = None  # how a complaint letter names it; None: by its name
    caveat: Localized | None = None  # said once per answer, e.g. "revised since this text"
    illegal_debts_only: bool = False  # applies only when the debt itself is illegal (usury)

    def cited(self, locale: str) -> str:
        return (self.cite or self.name).get(locale)


@dataclass(frozen=True, slots=True)
class Behaviour:
    id: str
    verdict: str
    why: Localized
    why_mark: str
    laws: tuple[Law, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleBook:
    checked_on: date | None = None
    behaviours: tuple[Behaviour, ...] = ()

    def get(self, behaviour_id: str) -> Behaviour | None:
        return next((b for b in self.behaviours if b.id == behaviour_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.behaviours)


@dataclass(frozen=True, slots=True)
class IntentPatterns:
    ignore: tuple[str, ...] = ()
    complaint: tuple[re.Pattern[str], ...] = ()
    scam: tuple[re.Pattern[str], ...] = ()
    lawsuit: tuple[re.Pattern[str], ...] = ()  # told they will be sued
    collection: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()
    # Questions people are afraid to ask, by topic of flows/conversation/fears.py (limitation,
    # bankruptcy).
    fears: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()
    # Typed words that mean a navigation button (skip, back, menu, restart, help), matched
    # whole after normalising; (action, words) pairs.
    nav: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Warnings a debt counsellor would give (new loans to pay old ones, paid agents):
    # (warning, patterns) pairs, and texts that say the opposite ("不再借新还旧").
    counsel: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()
    counsel_unless: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class CreditReportFacts:
    # 《征信业管理条例》: the Regulations on the Administration of the Credit Reporting Industry
    """Credit-reporting regulation numbers the scam warning states (defaults: the facts file,
    VERIFIED)."""

    retention_years: int = 5  # §16
    dispute_days: int = 20  # §25
    free_reports_per_year: int = 2  # §17
    checked_on: date | None = None


# ---- building from the data files ---------------------------------------------------------


def _localized(raw: Mapping[str, str] | str) -> Localized:
    if isinstance(raw, str):
        return Localized(raw)
    return Localized(raw[DEFAULT_LANGUAGE], raw.get("en", ""))


def _mark(raw: str) -> str:
    if raw not in MARKS:
        raise ValueError(f"unknown verification mark {raw!r}")
    return raw


def channels_from_data(data: Mapping[str, Any]) -> ChannelBook:
    channels = tuple(
        Channel(
            id=c["id"],
            name=_localized(c["name"]),
            purpose=_localized(c["purpose"]),
            reach=_localized(c["reach"]),
            lender_kinds=tuple(c["lender_kinds"]),
            behaviours=tuple(c["behaviours"]),
            source=c["source"],
            mark=_mark(c["mark"]),
        )
        for c in data["channel"]
    )
    return ChannelBook(checked_on=data.get("checked_on"), channels=channels)


def _law(law_id: str, law: Mapping[str, Any]) -> Law:
    return Law(
        law_id,
        _localized(law["name"]),
        _localized(law["says"]),
        _mark(law["mark"]),
        cite=_localized(law["cite"]) if "cite" in law else None,
        caveat=_localized(law["caveat"]) if "caveat" in law else None,
        illegal_debts_only=bool(law.get("illegal_debts_only", False)),
    )


def rules_from_data(data: Mapping[str, Any]) -> RuleBook:
    laws = {law_id: _law(law_id, law) for law_id, law in data["law"].items()}
    behaviours = []
    for b in data["behaviour"]:
        if b["verdict"] not in VERDICTS:
            raise ValueError(f"unknown verdict {b['verdict']!r} for {b['id']}")
        behaviours.append(
            Behaviour(
                id=b["id"],
                verdict=b["verdict"],
                why=_localized(b["why"]),
                why_mark=_mark(b.get("why_mark", "UNVERIFIED" if not b["laws"] else "VERIFIED")),
                laws=tuple(laws[law_id] for law_id in b["laws"]),
                evidence=tuple(b["evidence"]),
            )
        )
    return RuleBook(checked_on=data.get("checked_on"), behaviours=tuple(behaviours))


def intents_from_data(data: Mapping[str, Any]) -> IntentPatterns:
    def compiled(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in patterns)

    return IntentPatterns(
        ignore=tuple(data.get("ignore", ())),
        complaint=compiled(data.get("complaint", [])),
        scam=compiled(data.get("scam", [])),
        lawsuit=compiled(data.get("lawsuit", [])),
        collection=_merged(data.get("collection", {}), data.get("collection_more", {})),
        nav=tuple((action, tuple(words)) for action, words in data.get("nav", {}).items()),
        counsel=tuple(
            (warning, compiled(patterns))
            for warning, patterns in data.get("counsel", {}).items()
            if warning != "unless"
        ),
        counsel_unless=compiled(data.get("counsel", {}).get("unless", [])),
        fears=tuple(
            (topic, compiled(patterns)) for topic, patterns in data.get("fears", {}).items()
        ),
    )


def _merged(
    first: Mapping[str, list[str]], more: Mapping[str, list[str]]
) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Collection patterns by behaviour, in data-file order; `more` (a separate table, kept
    apart for easier merging) adds patterns to a behaviour or a new behaviour at the end."""
    patterns = {b: list(p) for b, p in first.items()}
    for behaviour, extra in more.items():
        patterns.setdefault(behaviour, []).extend(extra)
    return tuple((b, tuple(re.compile(p) for p in ps)) for b, ps in patterns.items())


def credit_report_from_data(data: Mapping[str, Any]) -> CreditReportFacts:
    return CreditReportFacts(
        retention_years=int(data["retention"]["years"]),
        dispute_days=int(data["dispute"]["days"]),
        free_reports_per_year=int(data["free_reports"]["per_year"]),
        checked_on=data.get("checked_on"),
    )
