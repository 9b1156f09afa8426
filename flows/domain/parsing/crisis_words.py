"""Words of suicide or self-harm and the lines to call, as data, and the matcher for them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_HOLD_DAYS = 3


@dataclass(frozen=True, slots=True)
class CrisisLine:
    """A number the reply gives, with where it comes from and its verification mark."""

    number: str
    source: str = ""
    mark: str = "UNVERIFIED"


@dataclass(frozen=True, slots=True)
class CrisisFacts:
    """data/crisis.toml, parsed. The defaults are the file's numbers, so a reply is never
    without a line; matching needs the file's patterns."""

    hotline: CrisisLine = CrisisLine("12356")
    police: CrisisLine = CrisisLine("110")
    ambulance: CrisisLine = CrisisLine("120")
    hold_reminder_days: int = DEFAULT_HOLD_DAYS
    fold: Mapping[str, str] = field(default_factory=dict)  # traditional -> simplified
    ignore: tuple[re.Pattern[str], ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    checked_on: date | None = None


def crisis_from_data(data: Mapping[str, Any]) -> CrisisFacts:
    def line(name: str) -> CrisisLine:
        raw = data[name]
        return CrisisLine(str(raw["number"]), raw["source"], raw["mark"])

    fold: dict[str, str] = {}
    for pair in data["fold"]["traditional"]:
        if len(pair) != 2:
            raise ValueError(f"crisis.toml: fold entry {pair!r} is not two characters")
        fold[pair[0]] = pair[1]
    match = data["match"]
    return CrisisFacts(
        hotline=line("hotline"),
        police=line("police"),
        ambulance=line("ambulance"),
        hold_reminder_days=int(data["gentle"]["hold_reminder_days"]),
        fold=fold,
        ignore=tuple(re.compile(p) for p in match["ignore"]),
        patterns=tuple(re.compile(p) for p in match["patterns"]),
        checked_on=data.get("checked_on"),
    )


# ---- recognising ----------------------------------------------------------------------------


def fold(typed: str, table: Mapping[str, str]) -> str:
    """Full-width to half-width, lower case, traditional to simplified, letters and digits
    only: the form the patterns are written for."""
    folded = unicodedata.normalize("NFKC", typed).lower()
    kept = "".join(table.get(ch, ch) for ch in folded if unicodedata.category(ch)[0] in "LN")
    return kept


def is_crisis(typed: str, facts: CrisisFacts) -> bool:
    """Whether a text speaks of suicide or self-harm (idioms alone do not)."""
    if not typed or not facts.patterns:
        return False
    plain = fold(typed, facts.fold)
    for idiom in facts.ignore:
        plain = idiom.sub("", plain)
    return any(p.search(plain) for p in facts.patterns)
