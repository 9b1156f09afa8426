"""The plan chart: each platform's balance month by month, drawn off-screen as a PNG.
Long (one drawing: geometry, bars, axes, legend and font search share their sizes).

A stacked bar chart drawn with Pillow: one bar per month (today's balances first), one colour
per platform, so the top of a bar is everything still owed that month. Bars are axis-aligned
rectangles, crisp without antialiasing; only the text is antialiased. A chart of 10 debts over
~120 months takes a few milliseconds (benchmarks/plan.py), where matplotlib took ~85.

Fonts: one font file draws everything. A font with Chinese glyphs is looked for by file name in
the usual font folders (Linux, macOS, Windows; CHART_FONT in the environment names one
explicitly, or `builtin` for none); without one, DejaVu Sans, else Pillow's own font. What the
font can draw decides the labels: a platform name it cannot draw (Chinese on a server without
CJK fonts, an emoji anywhere) shows as its tag (A, B…), the axis labels fall back to neutral
English, and the caption (always sent) maps the tags to the platforms.
"""

from __future__ import annotations

import functools
import io
import math
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 960, 540
FALLBACK_LABELS = {
    "x_label": "Month",
    "y_label": "Balance (CNY)",
    "title": "Balance left per platform",
    "start": "Now",
}
MAX_TICKS = 12
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# ---- fonts ----------------------------------------------------------------------------------

FONT_ENV = "CHART_FONT"  # a font file to draw with, or "builtin" for Pillow's own font
# Font files with Chinese glyphs commonly found on Linux, macOS and Windows, best first.
CJK_FILES = (
    "NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
    "SourceHanSansSC-Regular.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
    "uming.ttc",
    "PingFang.ttc",
    "msyh.ttc",
    "simhei.ttf",
)
LATIN_FILES = ("DejaVuSans.ttf",)
# Within a collection (.ttc), the face for Simplified Chinese: its family name ends so.
SIMPLIFIED_SUFFIXES = (" SC", " CN", " GB", "YaHei")
MAX_FACES = 16
# Probes: a font must draw these to count as a Chinese font / as having accented letters.
# Every chart label is built from ASCII digits and letters, so a font must draw those too.
ASCII_PROBE = "0129,-AMaz"
CJK_PROBE = "\u501f\u5e73\u53f0\u5143\uff08"
LATIN1_PROBE = "\u00e9\u00fc\u00f1\u00c5"
MISSING = "\U0010fffd"  # a private code point no font draws: shows what a missing glyph looks like
# Characters a Chinese font draws besides ASCII: ideographs, CJK and fullwidth punctuation, and
# the general punctuation Chinese text uses (quotes, dashes, ellipsis, middle dot).
CJK_RANGES = (
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3400, 0x4DBF),  # ideographs, extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF01, 0xFF60),  # fullwidth forms
    (0xFFE0, 0xFFE6),  # fullwidth signs
)
CHINESE_PUNCTUATION = frozenset("\u00b7\u2014\u2018\u2019\u201c\u201d\u2026")


@dataclass(frozen=True)
class Fonts:
    """The font file the chart is drawn with, and which characters it can draw."""

    path: str | None = None  # None: Pillow's built-in font
    index: int = 0  # the face within a collection (.ttc)
    cjk: bool = False  # Chinese ideographs and punctuation are drawable
    latin1: bool = False  # accented Latin letters (Latin-1) are drawable


@functools.cache
def available_fonts() -> Fonts:
    """The best font on this machine, looked for once per process."""
    chosen = os.environ.get(FONT_ENV, "").strip()
    if chosen.lower() == "builtin":
        return Fonts()
    if chosen:
        return _probe(Path(chosen)) or Fonts()
    found = _font_files((*CJK_FILES, *LATIN_FILES))
    for name in CJK_FILES:
        fonts = _probe(found[name]) if name in found else None
        if fonts is not None and fonts.cjk:
            return fonts
    for name in LATIN_FILES:
        fonts = _probe(found[name]) if name in found else None
        if fonts is not None:
            return fonts
    return Fonts()


def can_draw(label: str, fonts: Fonts | None = None) -> bool:
    fonts = fonts or available_fonts()
    return all(_drawable(ch, fonts) for ch in label)


def _drawable(ch: str, fonts: Fonts) -> bool:
    point = ord(ch)
    if ch == " " or 0x21 <= point <= 0x7E:
        return True
    if 0xA1 <= point <= 0xFF and point != 0xAD:
        return fonts.latin1 or (fonts.cjk and ch in CHINESE_PUNCTUATION)
    if not fonts.cjk:
        return False
    return ch in CHINESE_PUNCTUATION or any(low <= point <= high for low, high in CJK_RANGES)


def font_folders() -> list[Path]:
    """Where Linux, macOS and Windows keep font files."""
    home = Path.home()
    folders = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path("/System/Library/Fonts"),
        Path("/Library/Fonts"),
        home / "Library/Fonts",
    ]
    if sys.platform == "win32":
        folders.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
    return folders


def _font_files(names: Sequence[str]) -> dict[str, Path]:
    """The first file found for each wanted name, folder by folder (case-insensitive)."""
    wanted = {name.lower(): name for name in names}
    found: dict[str, Path] = {}
    for folder in font_folders():
        for directory, _subdirectories, files in os.walk(folder):
            for file in files:
                name = wanted.get(file.lower())
                if name is not None and name not in found:
                    found[name] = Path(directory) / file
    return found


def _probe(path: Path) -> Fonts | None:
    """What the font file draws, on its Simplified Chinese face; None if it is unusable."""
    chosen = _simplified_face(path)
    if chosen is None:
        return None
    index, font = chosen
    if not _draws(font, ASCII_PROBE):
        return None  # a fallback font without Latin letters cannot write the numbers
    return Fonts(str(path), index, _draws(font, CJK_PROBE), _draws(font, LATIN1_PROBE))


def _simplified_face(path: Path) -> tuple[int, ImageFont.FreeTypeFont] | None:
    """The first face whose family name says Simplified Chinese, else the first face."""
    first = None
    for index, face in _faces(path):
        if face.getname()[0].endswith(SIMPLIFIED_SUFFIXES):
            return index, face
        first = first or (index, face)
    return first


def _faces(path: Path) -> Iterator[tuple[int, ImageFont.FreeTypeFont]]:
    for index in range(MAX_FACES):
        try:
            # The class, not ImageFont.truetype(): that would quietly load another file of the
            # same name from the system's folders when this one is broken.
            face = ImageFont.FreeTypeFont(str(path), 20, index=index)
        except OSError:
            return
        yield index, face


def _draws(font: Font, text: str) -> bool:
    """Whether the font has a glyph for every character: a missing one draws as the font's
    placeholder glyph, the same picture as a code point no font has."""
    missing = _glyph(font, MISSING)
    return all(_glyph(font, ch) != missing for ch in text)


def _glyph(font: Font, ch: str) -> tuple[Any, bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


@functools.cache
def _font(fonts: Fonts, size: int) -> Font:
    if fonts.path is None:
        return ImageFont.load_default(size)
    # Basic layout: Chinese and Latin need no shaping, and it is the faster engine.
    return ImageFont.FreeTypeFont(
        fonts.path, size, index=fonts.index, layout_engine=ImageFont.Layout.BASIC
    )


# ---- the chart ------------------------------------------------------------------------------

# Paul Tol's "muted" palette: ten colours told apart with the common colour blindnesses.
SERIES_COLOURS = (
    (0xCC, 0x66, 0x77),
    (0x33, 0x22, 0x88),
    (0xDD, 0xCC, 0x77),
    (0x11, 0x77, 0x33),
    (0x88, 0xCC, 0xEE),
    (0x88, 0x22, 0x55),
    (0x44, 0xAA, 0x99),
    (0x99, 0x99, 0x33),
    (0xAA, 0x44, 0x99),
    (0xDD, 0xDD, 0xDD),
)
WHITE = (255, 255, 255)
INK = (51, 51, 51)
# The image is a palette image (8 bits a pixel): these are its first colours; the series
# colours follow, then a ramp from white to the ink that antialiased text is painted with.
BACKGROUND, GRID, AXIS = 0, 1, 2
FIXED_COLOURS = (WHITE, (222, 222, 222), (110, 110, 110))
FIRST_SERIES = len(FIXED_COLOURS)
INK_LEVELS = 16
FIRST_INK = FIRST_SERIES + len(SERIES_COLOURS)

TITLE_SIZE, LABEL_SIZE, TICK_SIZE = 28, 19, 17  # pixels: a phone shows the chart ~40% smaller
MARGIN = 16
GAP = 8  # between a label and what it labels
SWATCH = 18
LEGEND_MAX_WIDTH = 240
MAX_Y_TICKS = 6
NICE_MONTH_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120)
# Balances above this are drawn as this (the text says the real figure): the axis labels of
# absurd amounts must still leave room for the bars.
LARGEST_BALANCE = 1e15


def _palette() -> bytes:
    ramp = [
        tuple(round(w + (i - w) * level / INK_LEVELS) for w, i in zip(WHITE, INK, strict=True))
        for level in range(1, INK_LEVELS + 1)
    ]
    return bytes(c for colour in (*FIXED_COLOURS, *SERIES_COLOURS, *ramp) for c in colour)


PALETTE = _palette()
# Text coverage (0-255) -> the palette index of the ramp colour; and where text is at all.
INK_OF_COVERAGE = [FIRST_INK + max(0, round(c * INK_LEVELS / 255) - 1) for c in range(256)]
TEXT_AT = [255 if round(c * INK_LEVELS / 255) > 0 else 0 for c in range(256)]


class Canvas:
    """A palette image (8 bits a pixel, several times faster to encode as PNG than RGB, and
    smaller): shapes are painted in palette indexes; text is antialiased on its own, then
    painted in the ramp from white to the ink, since all text sits on white."""

    def __init__(self) -> None:
        self.image = Image.new("L", (WIDTH, HEIGHT), BACKGROUND)  # values: palette indexes
        self.shapes = ImageDraw.Draw(self.image)

    def rectangle(self, box: tuple[int, int, int, int], colour: int) -> None:
        self.shapes.rectangle(box, colour)

    def line(self, points: tuple[int, int, int, int], colour: int) -> None:
        self.shapes.line(points, colour)

    def text(self, xy: tuple[float, float], text: str, font: Font, anchor: str) -> None:
        ink, where, (left, top) = _typeset(font, text, anchor)
        self.image.paste(ink, (round(xy[0]) + left, round(xy[1]) + top), where)

    def png(self) -> bytes:
        self.image.putpalette(PALETTE)  # "L" becomes "P": the indexes become colours
        buffer = io.BytesIO()
        # Level 3: ~1.3 ms for ~17 kB; the default 6 saves a quarter of the bytes in twice the time.
        self.image.save(buffer, format="PNG", compress_level=3)
        return buffer.getvalue()


@functools.lru_cache(maxsize=512)
def _typeset(
    font: Font, text: str, anchor: str
) -> tuple[Image.Image, Image.Image, tuple[int, int]]:
    """The text in ink (palette indexes), the mask of where it is, and the offset of its
    top left corner from the anchor point. Kept: most labels recur from chart to chart."""
    left, top, right, bottom = (round(v) for v in font.getbbox(text, anchor=anchor))
    coverage = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(coverage).text((-left, -top), text, 255, font, anchor=anchor)
    return coverage.point(INK_OF_COVERAGE), coverage.point(TEXT_AT), (left, top)


@dataclass(frozen=True)
class Plot:
    """Where the bars go, in pixels, and the balance at the top edge."""

    left: int
    top: int
    right: int
    bottom: int
    top_value: float

    def y(self, value: float) -> int:
        return self.bottom - round(value * (self.bottom - self.top) / self.top_value)


# One chart at a time: the cached fonts' FreeType faces must not be used by two threads at
# once (free-threaded Python), and memory stays at one image's worth.
_DRAWING = threading.Lock()


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
    """A stacked bar chart of the balances: the top of each bar is the total still owed.
    The first series (the first debt the order pays) is stacked on top and listed first."""
    with _DRAWING:
        return _render(months, series, labels)


def _render(
    months: Sequence[str], series: Sequence[Mapping[str, Any]], labels: Mapping[str, str]
) -> bytes:
    fonts = available_fonts()
    title_font, label_font, tick_font = (
        _font(fonts, size) for size in (TITLE_SIZE, LABEL_SIZE, TICK_SIZE)
    )
    values = [_numbers(s.get("values", []), len(months)) for s in series]
    totals = [sum(column) for column in zip(*values, strict=True)] if values else []
    step, top_value = nice_scale(max(totals, default=0.0))
    y_ticks = [step * i for i in range(round(top_value / step) + 1)]
    tick_labels = [f"{v:,.0f}" for v in y_ticks]
    names = [_fitted(_series_label(s), label_font, LEGEND_MAX_WIDTH) for s in series]
    title = _fitted(_label(labels, "title"), title_font, WIDTH - 2 * MARGIN)
    unit = _fitted(_label(labels, "y_label"), label_font, WIDTH - 2 * MARGIN)

    canvas = Canvas()
    y = MARGIN
    if title:
        canvas.text((WIDTH // 2, y), title, title_font, "ma")
        y += _line(title_font) + GAP // 2
    canvas.text((MARGIN, y), unit, label_font, "la")
    y += _line(label_font) + GAP // 2
    legend_width = max((_width(label_font, n) for n in names), default=0)
    plot = Plot(
        left=MARGIN + math.ceil(max(_width(tick_font, t) for t in tick_labels)) + GAP,
        top=y + _line(tick_font) // 2,
        right=WIDTH - MARGIN - (SWATCH + GAP + math.ceil(legend_width) + 2 * GAP if names else 0),
        bottom=HEIGHT - MARGIN - _line(label_font) - GAP // 2 - _line(tick_font) - GAP,
        top_value=top_value,
    )
    for value, text in zip(y_ticks, tick_labels, strict=True):
        y = plot.y(value)
        canvas.line((plot.left, y, plot.right, y), GRID)
        canvas.text((plot.left - GAP, y), text, tick_font, "rm")
    _draw_bars(canvas, plot, values)
    canvas.line((plot.left, plot.bottom, plot.right, plot.bottom), AXIS)
    _draw_months(canvas, plot, months, tick_font)
    x_label = _label(labels, "x_label")
    canvas.text(((plot.left + plot.right) // 2, HEIGHT - MARGIN), x_label, label_font, "md")
    _draw_legend(canvas, plot, names, label_font)
    return canvas.png()


def nice_scale(highest: float) -> tuple[float, float]:
    """A step of 1, 2 or 5 times a power of ten (at least 1 yuan) giving at most
    MAX_Y_TICKS ticks from 0, and the first tick at or above `highest`."""
    highest = max(highest, 1.0)
    magnitude = 10 ** math.floor(math.log10(highest / (MAX_Y_TICKS - 1)))
    for factor in (1, 2, 5, 10):
        step = max(1.0, factor * magnitude)
        if math.ceil(highest / step) <= MAX_Y_TICKS - 1:
            return step, step * math.ceil(highest / step)
    raise AssertionError("unreachable: ten times the magnitude always fits")


@functools.lru_cache(maxsize=4096)
def _width(font: Font, text: str) -> float:
    return font.getlength(text)


def _line(font: Font) -> int:
    """The height of a line of text in the font."""
    ascent, descent = font.getmetrics()
    return ascent + descent


def _slots(plot: Plot, count: int) -> list[tuple[int, int]]:
    """Each bar's first and last pixel column: a gap between bars when there is room."""
    width = (plot.right - plot.left) / max(count, 1)
    gap = 0 if width < 3 else max(1, round(width * 0.25))
    edges = [plot.left + round(width * i) for i in range(count + 1)]
    return [(edges[i] + gap // 2, edges[i + 1] - 1 - (gap - gap // 2)) for i in range(count)]


def _draw_bars(canvas: Canvas, plot: Plot, values: list[list[float]]) -> None:
    """Stacked from the last series up, so the first sits on top. Each layer's edges are the
    rounded running totals, so layers never overlap and the top is the total exactly."""
    scale = (plot.bottom - plot.top) / plot.top_value
    layers = [(FIRST_SERIES + n % len(SERIES_COLOURS), values[n]) for n in range(len(values))]
    layers.reverse()
    for month, (left, right) in enumerate(_slots(plot, len(values[0]) if values else 0)):
        below, low = 0.0, plot.bottom
        for colour, balances in layers:
            if balances[month] <= 0:
                continue
            below += balances[month]
            high = plot.bottom - round(below * scale)
            if high < low:
                canvas.rectangle((left, high, right, low - 1), colour)
                low = high


def _draw_months(canvas: Canvas, plot: Plot, months: Sequence[str], font: Font) -> None:
    if not months:
        return
    slots = _slots(plot, len(months))
    # Month labels all look like 2026-11; the first is "now" in words.
    widest = max(_width(font, months[0]), _width(font, months[-1]))
    spacing = (plot.right - plot.left) / len(months)
    for index in _ticks(len(months), spacing, widest + GAP):
        left, right = slots[index]
        half = _width(font, months[index]) / 2
        x = min(max((left + right) / 2, MARGIN + half), WIDTH - MARGIN - half)
        canvas.line((round(x), plot.bottom, round(x), plot.bottom + GAP // 2), AXIS)
        canvas.text((x, plot.bottom + GAP), months[index], font, "ma")


def _ticks(count: int, spacing: float, room: float) -> list[int]:
    """Month indexes to label: every 1, 2, 3, 4, 6, 12… months from the first, the fewest
    that keep labels `room` pixels apart and at most MAX_TICKS; the last month (the payoff)
    too, in place of the regular tick before it when that would crowd it."""
    if count == 0:
        return []
    step = next(
        (s for s in NICE_MONTH_STEPS if s * spacing >= room and -(-count // s) <= MAX_TICKS),
        max(1, -(-count // MAX_TICKS), math.ceil(room / spacing)),
    )
    positions = list(range(0, count, step))
    last = count - 1
    if positions[-1] != last:
        if (last - positions[-1]) * spacing < room and len(positions) > 1:
            positions[-1] = last
        else:
            positions.append(last)
    return positions


def _draw_legend(canvas: Canvas, plot: Plot, names: Sequence[str], font: Font) -> None:
    """A column right of the plot, top down in the order the bars stack top down. More
    platforms than rows: the last row counts the rest (the caption lists them all)."""
    row = max(SWATCH, LABEL_SIZE) + GAP  # tighter than a line of CJK text: fits 12 rows
    rows = max(1, (plot.bottom - plot.top) // row)
    shown = names if len(names) <= rows else names[: rows - 1]
    left = plot.right + 2 * GAP
    for number, name in enumerate(shown):
        y = plot.top + number * row
        colour = FIRST_SERIES + number % len(SERIES_COLOURS)
        canvas.rectangle((left, y, left + SWATCH - 1, y + SWATCH - 1), colour)
        canvas.text((left + SWATCH + GAP, y + SWATCH / 2), name, font, "lm")
    if len(shown) < len(names):
        y = plot.top + len(shown) * row + SWATCH / 2
        canvas.text((left + SWATCH + GAP, y), f"+{len(names) - len(shown)}", font, "lm")


def _numbers(values: Sequence[Any], length: int) -> list[float]:
    """Balances as floats for drawing, one per month: missing, negative or unreadable is 0."""
    given = list(values)[:length]
    try:
        numbers = [float(v) for v in given]
    except (TypeError, ValueError):
        numbers = [_number(v) for v in given]
    drawn = [min(n, LARGEST_BALANCE) if n > 0 else 0.0 for n in numbers]  # NaN > 0 is False
    return drawn + [0.0] * (length - len(given))


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _series_label(series: Mapping[str, Any]) -> str:
    tag, name = str(series.get("tag", "")), " ".join(str(series.get("name", "")).split())
    full = f"{tag} {name}".strip()
    return full if can_draw(full) else tag


def _label(labels: Mapping[str, str], key: str) -> str:
    label = " ".join(labels.get(key, "").split())
    return label if can_draw(label) else FALLBACK_LABELS[key]


def _fitted(text: str, font: Font, width: float) -> str:
    """The text, cut short with an ellipsis when wider than `width` pixels."""
    if _width(font, text) <= width:
        return text
    ellipsis = "\u2026" if can_draw("\u2026") else "..."
    while text and font.getlength(text + ellipsis) > width:
        text = text[:-1]
    return text + ellipsis
