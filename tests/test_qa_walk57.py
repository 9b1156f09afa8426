"""Regressions found walking steps 5-7, collection, reminders and privacy as frightened users
(QA pass 5-7): each test names what was typed, what went wrong, and what it must give now."""

from __future__ import annotations

import pytest

from flows.core import Context
from tests.driver import Driver, adding_a_debt


@pytest.mark.parametrize(
    "typed", ["说我再不还就报警抓我", "我会不会坐牢啊", "他们说要叫警察来抓我"]
)
def test_being_told_the_police_will_arrest_you_gets_the_calm_note(ctx: Context, typed: str):
    # Before: "这一步请点下面的按钮选择" (not understood), or taken as the platform's name.
    bot = adding_a_debt(ctx)
    bot.say(typed)
    assert bot.keys == ["guidance.lawsuit", "interrupts.back_to_question", "debts.ask.platform"]


def test_none_of_your_business_is_not_an_arrest(ctx: Context):
    bot = Driver(ctx)
    bot.command("start")
    bot.say("不关你的事")
    assert "guidance.lawsuit" not in bot.keys
