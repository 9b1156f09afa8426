"""The plan chart's legend: letter tags a reader can match to the caption."""

from __future__ import annotations

from flows.steps.plan import legend_tag


def test_chart_legend_tags_are_letters_not_hashtags():
    # Before: "#1 借呗" — a hashtag in Telegram, and a button-like number in the terminal.
    assert [legend_tag(n) for n in (1, 2, 26, 27, 28)] == ["A", "B", "Z", "AA", "AB"]
