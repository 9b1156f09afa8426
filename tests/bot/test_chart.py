"""The plan chart as a person sees it: bars that shrink as the debts are paid, one colour per
platform, labels they can read or a tag when the server's font cannot draw them. Every test
holds with or without a Chinese font on the machine."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from bot import charts
from bot.charts import Fonts, can_draw, nice_scale, render_chart

JIEBEI = "\u501f\u5457"
MONTHS = ["now", "2026-11", "2026-12"]
LABELS = {"title": "Plan", "x_label": "Month", "y_label": "Yuan"}


@pytest.fixture
def fresh_font_search(monkeypatch) -> Iterator[None]:
    """available_fonts() looks once per process: look again, and forget what this test saw."""
    monkeypatch.delenv(charts.FONT_ENV, raising=False)
    charts.available_fonts.cache_clear()
    yield
    charts.available_fonts.cache_clear()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def bar_heights(data: bytes) -> list[int]:
    """The height in pixels of each bar drawn above the axis, left to right."""
    image = decoded(data)
    width, height = image.size
    pixels = image.load()
    axis_row = max(
        range(height), key=lambda y: sum(pixels[x, y] == charts.AXIS for x in range(width))
    )
    axis = [x for x in range(width) if pixels[x, axis_row] == charts.AXIS]
    series = range(charts.FIRST_SERIES, charts.FIRST_SERIES + len(charts.SERIES_COLOURS))
    columns = [
        sum(pixels[x, y] in series for y in range(axis_row)) for x in range(axis[0], axis[-1] + 1)
    ]
    bars: list[int] = []
    previous = 0
    for column in columns:
        if column and not previous:
            bars.append(column)
        elif column:
            bars[-1] = max(bars[-1], column)
        previous = column
    return bars


def one_debt(*balances: str, name: str = "Jiebei") -> list[dict[str, object]]:
    return [{"tag": "A", "name": name, "values": list(balances)}]


def test_the_chart_is_a_png_of_the_promised_size():
    image = decoded(render_chart(MONTHS, one_debt("100", "50", "0"), LABELS))
    assert image.format == "PNG" and image.size == (charts.WIDTH, charts.HEIGHT)


def test_each_bar_is_as_tall_as_what_is_still_owed_and_the_paid_off_month_is_empty():
    heights = bar_heights(render_chart(MONTHS, one_debt("100", "50", "0"), LABELS))
    assert len(heights) == 2  # three months; the last has nothing left to draw
    assert abs(heights[0] - 2 * heights[1]) <= 1


def test_the_first_debt_the_order_pays_sits_on_top_of_each_bar():
    series = [
        {"tag": "A", "name": "first", "values": ["30", "0"]},
        {"tag": "B", "name": "second", "values": ["70", "70"]},
    ]
    image = decoded(render_chart(["now", "2026-11"], series, LABELS))
    pixels = image.load()
    colours_down_the_first_bar = []
    x = next(
        x
        for x in range(image.width)
        if any(pixels[x, y] == charts.FIRST_SERIES + 1 for y in range(image.height))
    )
    for y in range(image.height):
        colour = pixels[x + 2, y]
        if colour in (charts.FIRST_SERIES, charts.FIRST_SERIES + 1) and (
            not colours_down_the_first_bar or colours_down_the_first_bar[-1] != colour
        ):
            colours_down_the_first_bar.append(colour)
    assert colours_down_the_first_bar == [charts.FIRST_SERIES, charts.FIRST_SERIES + 1]


def test_ten_years_of_months_get_a_bar_each():
    months = ["now", *(f"{2026 + m // 12}-{m % 12 + 1:02d}" for m in range(120))]
    balances = [str(121 - i) for i in range(121)]
    heights = bar_heights(render_chart(months, one_debt(*balances), LABELS))
    assert len(heights) == 121
    assert heights == sorted(heights, reverse=True)


@pytest.mark.parametrize(
    ("months", "series"),
    [
        ([], []),
        (["now"], []),
        ([], one_debt("100")),
        (["now"], one_debt("100")),
        (MONTHS, one_debt("0", "0", "0")),  # all paid: nothing to stack
        (MONTHS, one_debt("1000000000", "999999999.99", "0")),
        (MONTHS, one_debt("-5", "NaN", "junk")),
        (MONTHS, one_debt("1e300", "Infinity", "1e400")),
        (MONTHS, one_debt("100")),  # fewer balances than months
    ],
)
def test_odd_plans_still_give_a_chart(months, series):
    assert decoded(render_chart(months, series, LABELS)).size == (charts.WIDTH, charts.HEIGHT)


def test_thirty_platforms_fit_the_legend_with_a_count_of_the_rest():
    series = [{"tag": f"T{n}", "name": "", "values": ["1e300", "0"]} for n in range(30)]
    assert decoded(render_chart(["now", "2026-11"], series, LABELS)).format == "PNG"


# ---- labels and fonts -----------------------------------------------------------------------


def test_what_counts_as_drawable_depends_on_the_font():
    latin = Fonts(latin1=True)
    chinese = Fonts(cjk=True, latin1=True)
    assert can_draw("A 2026-11 (yuan)", Fonts()) and can_draw("", Fonts())
    assert not can_draw("Caf\u00e9", Fonts()) and can_draw("Caf\u00e9", latin)
    assert not can_draw(JIEBEI, latin) and can_draw(JIEBEI, chinese)
    assert can_draw("\u5f53\u6708\u5269\u4f59\uff08\u5143\uff09\u3001\u201c\u201d\u2026", chinese)
    assert not can_draw("\U0001f64f", chinese)  # an emoji
    assert not can_draw("\uac00", chinese)  # Korean: not what a Chinese font is asked for


def test_a_platform_name_with_an_emoji_falls_back_to_its_tag(monkeypatch):
    monkeypatch.setattr(charts, "available_fonts", lambda: Fonts(cjk=True))
    assert charts._series_label({"tag": "B", "name": JIEBEI + "\U0001f64f"}) == "B"
    assert charts._series_label({"tag": "C", "name": JIEBEI}) == "C " + JIEBEI


def test_without_a_chinese_font_the_chinese_chart_is_drawn_in_english(monkeypatch):
    monkeypatch.setattr(charts, "available_fonts", lambda: Fonts())
    labels = {"title": "\u6807\u9898", "x_label": "\u6708\u4efd", "y_label": "\u5143"}
    assert [charts._label(labels, k) for k in ("title", "x_label", "y_label")] == [
        charts.FALLBACK_LABELS["title"],
        "Month",
        "Balance (CNY)",
    ]
    data = render_chart(MONTHS, one_debt("100", "50", "0", name=JIEBEI), labels)
    assert decoded(data).size == (charts.WIDTH, charts.HEIGHT)


def test_a_long_platform_name_is_cut_short_in_the_legend(monkeypatch):
    monkeypatch.setattr(charts, "available_fonts", lambda: Fonts())
    font = charts._font(Fonts(), charts.LABEL_SIZE)
    fitted = charts._fitted("Platform " * 20, font, charts.LEGEND_MAX_WIDTH)
    assert fitted.endswith("...") and font.getlength(fitted) <= charts.LEGEND_MAX_WIDTH


def test_a_missing_glyph_is_told_from_a_drawn_one():
    builtin = ImageFont.load_default(20)  # Pillow's own font: Latin letters, no Chinese
    assert charts._draws(builtin, charts.ASCII_PROBE)
    assert not charts._draws(builtin, charts.CJK_PROBE)


def test_chart_font_builtin_draws_with_pillows_own_font(monkeypatch, fresh_font_search):
    monkeypatch.setenv(charts.FONT_ENV, "builtin")
    assert charts.available_fonts() == Fonts()


def test_a_chart_font_that_is_not_a_font_is_ignored(monkeypatch, fresh_font_search, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    monkeypatch.setenv(charts.FONT_ENV, str(bogus))
    assert charts.available_fonts() == Fonts()


def test_font_files_are_found_by_name_in_nested_folders(monkeypatch, tmp_path):
    nested = tmp_path / "opentype" / "noto"
    nested.mkdir(parents=True)
    (nested / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    (tmp_path / "DEJAVUSANS.TTF").write_bytes(b"")
    monkeypatch.setattr(charts, "font_folders", lambda: [tmp_path / "missing", tmp_path])
    found = charts._font_files((*charts.CJK_FILES, *charts.LATIN_FILES))
    assert found == {
        "NotoSansCJK-Regular.ttc": nested / "NotoSansCJK-Regular.ttc",
        "DejaVuSans.ttf": tmp_path / "DEJAVUSANS.TTF",
    }


def test_broken_font_files_leave_pillows_own_font(monkeypatch, fresh_font_search, tmp_path):
    (tmp_path / "wqy-zenhei.ttc").write_bytes(b"broken")
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"broken")
    monkeypatch.setattr(charts, "font_folders", lambda: [tmp_path])
    assert charts.available_fonts() == Fonts()


NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.mark.skipif(not NOTO_CJK.exists(), reason="fonts-noto-cjk is not installed")
def test_in_a_collection_the_simplified_chinese_face_is_chosen():
    fonts = charts._probe(NOTO_CJK)
    assert fonts is not None and fonts.cjk and fonts.latin1
    face = ImageFont.truetype(str(NOTO_CJK), 20, index=fonts.index)
    assert face.getname()[0] == "Noto Sans CJK SC"


# ---- scales ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highest", "step", "top"),
    [
        (0, 1, 1),
        (3, 1, 3),
        (4000, 1000, 4000),
        (25_000, 5000, 25_000),
        (135_200, 50_000, 150_000),
        (1_000_000_000, 200_000_000, 1_000_000_000),
    ],
)
def test_the_balance_axis_steps_by_1_2_or_5_times_a_power_of_ten(highest, step, top):
    assert nice_scale(highest) == (step, top)


def test_month_labels_are_few_evenly_spaced_and_include_the_payoff_month():
    ticks = charts._ticks(121, spacing=5.7, room=76)
    assert len(ticks) <= charts.MAX_TICKS + 1 and ticks[0] == 0 and ticks[-1] == 120
    steps = {b - a for a, b in itertools.pairwise(ticks[:-1])}
    assert steps == {24}
    assert charts._ticks(4, spacing=170, room=76) == [0, 1, 2, 3]
    assert charts._ticks(0, spacing=1, room=76) == []
