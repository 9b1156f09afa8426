"""Long replies are split into messages Telegram accepts, tags balanced in every part."""

from __future__ import annotations

from bot.render import MESSAGE_LIMIT, split_html, utf16_length
from tests.standin_api import parse_html


def test_a_short_text_stays_one_message():
    assert split_html("<b>你好</b>") == ("<b>你好</b>",)


def test_a_long_text_is_split_at_lines_within_the_limit():
    text = "\n".join(f"第{i}行：本月应还 1,234.56 元" for i in range(600))
    parts = split_html(text)
    assert len(parts) > 1
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert "".join(parse_html(p)[0] + "\n" for p in parts).count("第") == 600


def test_a_tag_spanning_a_cut_is_closed_and_reopened():
    text = "<pre>" + "\n".join("月份 平台 金额 " * 5 for _ in range(200)) + "</pre>"
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        parse_html(part)  # raises if Telegram would refuse it
        assert part.startswith("<pre>") and part.endswith("</pre>")


def test_emoji_count_twice_toward_the_limit():
    text = "😀" * 3000
    parts = split_html(text)
    assert len(parts) == 2
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)


def test_a_single_endless_line_is_cut_outside_entities():
    text = "&amp;" * 2000
    parts = split_html(text)
    for part in parts:
        parse_html(part)
        assert utf16_length(part) <= MESSAGE_LIMIT
