"""The plan chart: each platform's balance month by month, drawn off-screen as a PNG.

matplotlib with the Agg canvas and no pyplot, so nothing global is touched and a chart can be
drawn in a worker thread. Platform names and labels are in the user's language; when no font
on the machine has their glyphs (a server without CJK fonts), the chart shows #1, #2… and
neutral labels instead, and the caption (always sent) maps the numbers to the platforms.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

WIDTH_INCHES, HEIGHT_INCHES, DPI = 9.6, 5.4, 100  # 960 x 540 pixels
# Fonts with Chinese glyphs commonly found on Linux, macOS and Windows, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)
BASE_FAMILY = "DejaVu Sans"
FALLBACK_LABELS = {"x_label": "Month", "y_label": "Balance (CNY)", "title": "", "start": "Now"}
MAX_TICKS = 12


@functools.cache
def available_fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """The font families to draw with and every code point they can show."""
    families: list[str] = []
    codepoints: set[int] = set()
    for family in (*CJK_FAMILIES, BASE_FAMILY):
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        families.append(family)
        codepoints.update(FT2Font(path).get_charmap())
    return tuple(families), frozenset(codepoints)


def can_draw(label: str) -> bool:
    _, codepoints = available_fonts()
    return all(ch.isspace() or ord(ch) in codepoints for ch in label)


def render_attachment(payload: Mapping[str, Any]) -> bytes:
    """`months` are the months of payments; the balances have one more value, today's, first."""
    labels = {k: str(payload.get(k, "")) for k in FALLBACK_LABELS}
    return render_chart(
        months=[_label(labels, "start"), *payload.get("months", [])],
        series=payload.get("series", []),
        labels=labels,
    )


def render_chart(
    months: Sequence[str], series: Sequence[Mapping[str, Any]], labels: Mapping[str, str]
) -> bytes:
    """A stacked area chart of the balances: the top edge is the total still owed."""
    families, _ = available_fonts()
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.add_subplot()
    x = list(range(len(months)))
    values = [[float(v) for v in s.get("values", [])] for s in series]
    names = [_series_label(s) for s in series]
    if values and x:
        axes.stackplot(x, *[_fit(v, len(x)) for v in values], labels=names, alpha=0.85)
        axes.legend(loc="upper right", prop=_font(families), fontsize=9)
    axes.set_xticks(*_ticks(months))
    axes.set_xlim(0, max(1, len(x) - 1))
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    for key, setter in (("title", axes.set_title), ("x_label", axes.set_xlabel)):
        setter(_label(labels, key), fontproperties=_font(families))
    axes.set_ylabel(_label(labels, "y_label"), fontproperties=_font(families))
    axes.yaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
    # Fixed margins, not tight_layout(): that lays the figure out by drawing it once more.
    figure.subplots_adjust(left=0.12, right=0.95, top=0.92, bottom=0.12)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _font(families: Sequence[str]) -> font_manager.FontProperties:
    return font_manager.FontProperties(family=list(families) or [BASE_FAMILY])


def _series_label(series: Mapping[str, Any]) -> str:
    tag, name = str(series.get("tag", "")), str(series.get("name", ""))
    full = f"{tag} {name}".strip()
    return full if can_draw(full) else tag


def _label(labels: Mapping[str, str], key: str) -> str:
    label = labels.get(key, "")
    return label if can_draw(label) else FALLBACK_LABELS[key]


def _fit(values: list[float], length: int) -> list[float]:
    return (values + [0.0] * length)[:length]


def _ticks(months: Sequence[str]) -> tuple[list[int], list[str]]:
    step = max(1, -(-len(months) // MAX_TICKS))
    positions = list(range(0, len(months), step))
    return positions, [months[i] for i in positions]
