"""Load the data files in data/ into the Facts bundle that flows reads."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from flows.collection_facts import (
    channels_from_data,
    credit_report_from_data,
    intents_from_data,
    rules_from_data,
)
from flows.facts import Facts


def read_toml(folder: Path, name: str) -> dict[str, Any]:
    return tomllib.loads((folder / name).read_text(encoding="utf-8"))


def load_facts(folder: Path) -> Facts:
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    return Facts(
        # ---- step 2 ----
        # ---- steps 5-6 ----
        complaint_channels=channels_from_data(read_toml(folder, "complaint_channels.toml")),
        collection_rules=rules_from_data(read_toml(folder, "collection_rules.toml")),
        intents=intents_from_data(read_toml(folder, "intents.toml")),
        credit_report=credit_report_from_data(read_toml(folder, "credit_report.toml")),
    )
