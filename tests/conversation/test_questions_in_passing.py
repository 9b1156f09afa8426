"""Questions asked in passing (a lawsuit, the police, how long a late record stays): answered,
then the question the user was on is asked again."""

from __future__ import annotations

import pytest

from flows.domain.context import Context
from tests.driver import Driver, adding_a_debt


def test_being_told_of_a_lawsuit_gets_a_calm_note_and_the_question_again(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("他们说要告我")
    # nothing entered yet: no "everything you entered is still here"
    assert bot.keys == ["guidance.lawsuit", "interrupts.back_to_start", "debts.ask.platform"]


def test_asking_whether_they_will_sue_is_answered_not_taken_as_the_reason(ctx: Context):
    # Moved from test_intents' ordinary phrases: it is a frightened question, answered calmly.
    bot = Driver(ctx)
    bot.command("start")
    bot.press("welcome.begin")
    bot.press("contact.write_script")
    bot.say("借呗")
    bot.say("他们说会起诉我吗")
    assert bot.keys == ["guidance.lawsuit", "interrupts.back_to_question", "contact.ask_reason"]


@pytest.mark.parametrize(
    "typed", ["说我再不还就报警抓我", "我会不会坐牢啊", "他们说要叫警察来抓我"]
)
def test_being_told_the_police_will_arrest_you_gets_the_calm_note(ctx: Context, typed: str):
    # Before: "这一步请点下面的按钮选择" (not understood), or taken as the platform's name.
    bot = adding_a_debt(ctx)
    bot.say(typed)
    # nothing entered yet: no "everything you entered is still here"
    assert bot.keys == ["guidance.lawsuit", "interrupts.back_to_start", "debts.ask.platform"]


def test_none_of_your_business_is_not_an_arrest(ctx: Context):
    bot = Driver(ctx)
    bot.command("start")
    bot.say("不关你的事")
    assert "guidance.lawsuit" not in bot.keys


@pytest.mark.parametrize(
    "typed", ["逾期记录会保留多久", "征信多久能恢复", "不良记录几年能消", "征信什么时候能好"]
)
def test_how_long_a_late_record_stays_is_answered(ctx: Context, typed: str):
    # Before: "逾期记录会保留多久" got "这一步请点下面的按钮选择".
    bot = Driver(ctx)
    bot.command("start")
    bot.say(typed)
    assert bot.keys[0] == "guidance.scam_warning"
    assert bot.outcome.replies[0].text.values["years"] == 5


@pytest.mark.parametrize("typed", ["逾期多久会被起诉", "借呗", "我想多久还清"])
def test_other_how_long_questions_are_not_about_the_record(ctx: Context, typed: str):
    bot = Driver(ctx)
    bot.command("start")
    bot.say(typed)
    assert "guidance.scam_warning" not in bot.keys
