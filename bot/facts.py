"""Load the data files in data/ into the Facts bundle that flows reads."""

from __future__ import annotations

from pathlib import Path

from flows.facts import Facts


def load_facts(folder: Path) -> Facts:
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    return Facts()
