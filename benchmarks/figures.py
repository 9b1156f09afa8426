"""One measured figure of a benchmark, its target and what limits it: a row of the results table.

Every benchmark module exposes `figures(full: bool) -> list[Figure]` (or a list of dicts with
the same keys); `python -m benchmarks` collects them into one table and benchmarks/RESULTS.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Figure:
    benchmark: str  # which benchmark measured it, e.g. "conversation"
    name: str  # what was measured, e.g. "guide walk, updates/s"
    value: float | None  # None: could not be measured (see note)
    unit: str = ""
    target: str = ""  # as people read it, e.g. "≥ 1,000"; empty: informational
    passed: bool | None = None  # None: no target
    limits: tuple[str, ...] = ()  # what bounds the figure: profile costs, a breakdown
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        if self.passed is None:
            return "—"
        return "pass" if self.passed else "FAIL"

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        magnitude = abs(self.value)
        places = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
        number = f"{self.value:,.{places}f}"
        return f"{number} {self.unit}".strip()


def at_least(value: float, bound: float) -> tuple[str, bool]:
    return f"≥ {bound:,g}", value >= bound


def at_most(value: float, bound: float) -> tuple[str, bool]:
    return f"< {bound:,g}", value < bound


def coerce(row: Figure | Mapping[str, Any]) -> Figure:
    """Accept a Figure or a plain dict, so other benchmark modules need not import this one."""
    if isinstance(row, Figure):
        return row
    known = {f.name for f in fields(Figure)}
    values = {key: value for key, value in row.items() if key in known}
    values["limits"] = tuple(values.get("limits", ()))
    return Figure(**values)
