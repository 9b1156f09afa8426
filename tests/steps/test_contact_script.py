"""The script for the platform's customer service: the reason in the user's words, said once."""

from __future__ import annotations

from flows.steps.contact import script_values


def test_a_reason_typed_with_because_does_not_say_because_twice() -> None:
    # "yinwei shiye le, shouru duan le" (because I lost my job...) printed
    # "the reason is: because I lost my job".
    values = script_values(
        {"platform": "meituan", "reason": {"own_words": "\u56e0\u4e3a\u5931\u4e1a\u4e86"}}
    )
    assert values["reason"] == "\u5931\u4e1a\u4e86"  # shiye le (lost my job)
