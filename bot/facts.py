"""Load the data files in data/ into the Facts bundle that flows reads."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from flows.domain.collection_facts import (
    channels_from_data,
    credit_report_from_data,
    intents_from_data,
    rules_from_data,
)
from flows.domain.facts import Facts, LegalLines, Line, LprChange, LprTable
from flows.domain.legal_facts import legal_facts_from_data
from flows.domain.parsing.crisis_words import crisis_from_data


def read_toml(folder: Path, name: str) -> dict[str, Any]:
    return tomllib.loads((folder / name).read_text(encoding="utf-8"))


def load_facts(folder: Path) -> Facts:
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    return Facts(
        # ---- step 2 ----
        lpr=load_lpr(read_toml(folder, "lpr.toml")),
        legal=load_legal_lines(read_toml(folder, "legal_limits.toml")),
        # ---- steps 5-6 ----
        complaint_channels=channels_from_data(read_toml(folder, "complaint_channels.toml")),
        collection_rules=rules_from_data(read_toml(folder, "collection_rules.toml")),
        intents=intents_from_data(read_toml(folder, "intents.toml")),
        credit_report=credit_report_from_data(read_toml(folder, "credit_report.toml")),
        # ---- do no harm ----
        crisis=crisis_from_data(read_toml(folder, "crisis.toml")),
        legal_facts=legal_facts_from_data(read_toml(folder, "legal_facts.toml")),
    )


# ---- step 2: LPR table and legal lines ----


def percent(text: str) -> Decimal:
    """ "3.45" (percent, as written in the data files) -> Decimal("0.0345")."""
    return Decimal(text) / 100


def load_lpr(raw: dict[str, Any]) -> LprTable:
    changes = tuple(
        sorted(
            (
                LprChange(effective=row["effective"], rate=percent(row["rate"]))
                for row in raw["change"]
            ),
            key=lambda change: change.effective,
        )
    )
    if len({c.effective for c in changes}) != len(changes):
        raise ValueError("lpr.toml lists one effective date twice")
    return LprTable(
        changes=changes,
        source=raw["source"],
        mark=raw["mark"],
        checked_through=raw["checked_through"],
        updated=raw["updated"],
    )


def _line(table: dict[str, Any], key: str = "rate") -> Line:
    return Line(rate=percent(table[key]), source=table["source"], mark=table["mark"])


def load_legal_lines(raw: dict[str, Any]) -> LegalLines:
    old = raw["old_rules"]
    return LegalLines(
        private_multiple=Decimal(raw["private_cap"]["multiple"]),
        private_source=raw["private_cap"]["source"],
        private_mark=raw["private_cap"]["mark"],
        licensed_source=raw["licensed"]["source"],
        licensed_mark=raw["licensed"]["mark"],
        licensed_reference=_line(raw["licensed_reference"]),
        criminal_reference=_line(raw["criminal_reference"]),
        old_rules_before=old["contracts_before"],
        old_protected=_line(old, "protected"),
        old_void_above=_line(old, "void_above"),
        lpr_start=raw["lpr_start"]["date"],
    )
