"""Recording abusive collection: which behaviours a story names, and what each is called."""

from __future__ import annotations

from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.parsing.intents import classify
from tests.driver import Driver


def test_a_law_quoted_for_one_behaviour_is_only_named_for_the_next(ctx: Context):
    bot = Driver(ctx)
    bot.command("start")
    bot.say("催收打我家人电话，还爆通讯录")
    laws = [
        line.key
        for reply in bot.outcome.replies
        if reply.text.key == "guidance.behaviour"
        for line in reply.text.values["laws"]
    ]
    assert "guidance.law_again" in laws
    assert bot.keys[-1] != "guidance.lawsuit"


def test_a_clock_time_at_night_is_recognised_as_night_calls(facts: Facts):
    from flows.domain.parsing.intents import classify

    assert "night_calls" in classify("晚上11点打电话骂我", facts.intents).behaviours
    assert "night_calls" in classify("早上6点就打电话催", facts.intents).behaviours
    assert classify("早上7点我打电话给客服", facts.intents).behaviours == ()


def test_saying_they_will_come_to_your_door_is_a_warning_sign_not_called_unlawful(
    facts: Facts,
):
    # Before: "他们说要上门" was ticked as threats and told "违法" outright.
    said = classify("他们说要上门", facts.intents)
    assert said.behaviours == ("home_visit",)
    assert facts.collection_rules.get("home_visit").verdict == "warning_sign"
    threatened = classify("催收威胁说要上门弄死我", facts.intents)
    assert {"threats", "home_visit"} <= set(threatened.behaviours)


def test_old_record_buttons_still_tick_the_same_behaviours(facts: Facts):
    # Buttons already sent carry behaviours by index: the new one comes last.
    assert facts.collection_rules.ids[:9] == (
        "threats",
        "insults",
        "night_calls",
        "many_calls",
        "third_parties",
        "contact_list",
        "fake_documents",
        "publish_data",
        "personal_account",
    )
