"""The conversation core: step 1 transition by transition, and the ways out of anywhere."""

from __future__ import annotations

import pytest

from flows.conversation.core import ButtonPress, Command, TextInput, Unsupported
from flows.dispatcher import machine
from flows.dispatcher.machine import MAX_CALLBACK_BYTES
from flows.domain.context import Context
from tests.driver import Driver


@pytest.fixture
def chat(ctx: Context) -> Driver:
    driver = Driver(ctx)
    driver.command("start")
    return driver


def in_step_one_form(chat: Driver) -> Driver:
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    return chat


# ---- arriving ---------------------------------------------------------------------------


def test_a_newcomer_gets_welcome_disclaimer_and_privacy_note(chat: Driver):
    assert chat.keys == ["welcome.intro", "welcome.privacy"]
    assert chat.state.started


def test_a_newcomer_who_says_hello_instead_of_start_still_gets_the_welcome(ctx: Context):
    driver = Driver(ctx)
    driver.say("你好")
    assert driver.keys == ["welcome.intro", "welcome.privacy"]


def test_a_wrong_input_on_the_welcome_gets_a_short_nudge_not_the_whole_welcome(chat: Driver):
    chat.say("asdf")
    assert chat.keys == ["common.use_buttons", "welcome.again"]
    chat.press("welcome.begin")
    assert chat.where[0] == "contact"


def test_a_question_asked_on_the_welcome_is_answered_then_the_short_nudge(chat: Driver):
    chat.say("去哪里投诉")
    assert chat.keys[-2:] == ["interrupts.back_to_start", "welcome.again"]
    assert "welcome.intro" not in chat.keys


def test_start_again_later_continues_where_the_user_was(chat: Driver):
    in_step_one_form(chat)
    chat.command("start")
    # Nothing answered yet: welcomed back without "everything you entered is still here".
    assert chat.keys == ["common.welcome_again", "contact.ask_platform"]
    assert chat.where == ("contact", "form")


# ---- step 1, every transition ------------------------------------------------------------


def test_begin_leads_to_why_not_to_go_silent(chat: Driver):
    chat.press("welcome.begin")
    assert chat.where == ("contact", "why")
    assert chat.keys == ["contact.why"]


def test_asking_for_a_script_asks_for_the_platform_first(chat: Driver):
    in_step_one_form(chat)
    assert chat.keys == ["contact.ask_platform"]


def test_a_full_script_carries_platform_reason_and_proposal(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    assert chat.keys == ["contact.ask_reason"]
    chat.press("contact.reason.job_loss")
    assert chat.keys == ["contact.ask_proposal"]
    chat.press("contact.proposal.extension")
    assert chat.where == ("contact", "script")
    script = chat.outcome.replies[0].text
    assert script.key == "contact.script"
    assert script.values["platform"] == "借呗"
    assert script.values["reason"].key == "contact.reason_phrase.job_loss"
    assert script.values["proposal"].key == "contact.proposal_phrase.extension"
    assert chat.state.profile.delay_reason == "job_loss"


def test_skipping_the_platform_says_your_platform_in_the_script(chat: Driver):
    in_step_one_form(chat)
    chat.press("nav.skip")
    chat.press("contact.reason.illness")
    chat.press("contact.proposal.explain")
    assert chat.outcome.replies[0].text.values["platform"].key == "contact.platform_unnamed"


def test_other_reason_asks_for_it_in_the_users_words(chat: Driver):
    in_step_one_form(chat)
    chat.say("分期乐")
    chat.press("contact.reason.other")
    assert chat.keys == ["contact.ask_reason_text"]
    chat.say("公司裁员，还在找工作。")
    chat.press("contact.proposal.partial")
    assert chat.outcome.replies[0].text.values["reason"] == "公司裁员，还在找工作"
    assert chat.state.profile.delay_reason_text == "公司裁员，还在找工作。"


def test_typing_a_reason_instead_of_choosing_uses_those_words(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.say("老人住院花光了积蓄")
    assert chat.keys == ["contact.ask_proposal"]
    chat.press("contact.proposal.installments")
    assert chat.outcome.replies[0].text.values["reason"] == "老人住院花光了积蓄"


def test_back_inside_the_form_returns_to_the_previous_question(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.press("nav.back")
    assert chat.keys == ["contact.ask_platform"]
    assert chat.state.position.draft["platform"] == "借呗"


def test_back_on_the_first_question_returns_to_why(chat: Driver):
    in_step_one_form(chat)
    chat.press("nav.back")
    assert chat.where == ("contact", "why")


def test_back_from_the_script_reopens_the_last_question(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.press("contact.reason.family")
    chat.press("contact.proposal.extension")
    chat.press("nav.back")
    assert chat.where == ("contact", "form")
    assert chat.keys == ["contact.ask_proposal"]


def test_another_platform_starts_a_fresh_script(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.press("contact.reason.family")
    chat.press("contact.proposal.extension")
    chat.press("contact.another_platform")
    assert chat.keys == ["contact.ask_platform"]
    assert "platform" not in chat.state.position.draft


def test_already_contacted_goes_on_to_the_debt_list(chat: Driver):
    chat.press("welcome.begin")
    chat.press("contact.already_contacted")
    assert chat.state.position.step == "debts"


def test_next_from_the_script_goes_on_to_the_debt_list(chat: Driver):
    in_step_one_form(chat)
    chat.press("nav.skip")
    chat.press("contact.reason.job_loss")
    chat.press("contact.proposal.extension")
    chat.press("contact.next_debts")
    assert chat.state.position.step == "debts"


def test_the_reason_question_cannot_be_skipped(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    before = chat.state
    chat.send(ButtonPress(f"{chat.state.prompt_seq}|skip"))
    assert chat.keys == ["form.cannot_skip", "contact.ask_reason"]
    assert chat.state == before


# ---- ways out of anywhere ------------------------------------------------------------------


def _at_why(chat: Driver) -> None:
    chat.send(ButtonPress("m:contact"))


def _at_form(chat: Driver) -> None:
    _at_why(chat)
    chat.press("contact.write_script")


def _at_clarification_free_text(chat: Driver) -> None:
    _at_form(chat)
    chat.say("借呗")
    chat.press("contact.reason.other")


PLACES = {
    "where-it-was": lambda c: None,
    "why": _at_why,
    "form": _at_form,
    "free-text-question": _at_clarification_free_text,
    "menu": lambda c: c.command("menu"),
    "placeholder-step": lambda c: c.send(ButtonPress("m:plan")),
}


@pytest.mark.parametrize("place", PLACES)
def test_main_menu_is_reachable_from_anywhere_and_lists_every_step(chat: Driver, place: str):
    PLACES[place](chat)
    chat.command("menu")
    assert chat.where == ("menu", "main")
    menu_targets = [b.data for b in chat.buttons if b.data.startswith("m:")]
    assert menu_targets == [
        f"m:{s}"
        for s in ("contact", "debts", "budget", "plan", "negotiate", "collection", "afterwards")
    ]


@pytest.mark.parametrize("place", PLACES)
def test_restart_from_anywhere_keeps_what_was_saved(chat: Driver, place: str):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.press("contact.reason.job_loss")
    chat.press("contact.proposal.extension")
    PLACES[place](chat)
    chat.send(ButtonPress("n:restart"))
    assert chat.keys[0] == "common.restarted"
    assert chat.where == ("welcome", "intro")
    assert chat.state.history == ()
    assert chat.state.profile.delay_reason == "job_loss"


def test_back_from_a_step_opened_in_the_menu_returns_to_the_menu(chat: Driver):
    chat.command("menu")
    chat.send(ButtonPress("m:contact"))
    chat.press("nav.back")
    assert chat.where == ("menu", "main")


def test_back_after_a_menu_detour_returns_to_the_open_question(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.command("menu")
    chat.send(ButtonPress("m:plan"))
    chat.press("nav.back")
    chat.press("nav.back")
    assert chat.where == ("contact", "form")
    assert chat.keys == ["contact.ask_reason"]


def test_a_menu_entry_opens_that_step(chat: Driver):
    chat.command("menu")
    chat.send(ButtonPress("m:contact"))
    assert chat.where == ("contact", "why")


def test_help_answers_and_asks_the_current_question_again(chat: Driver):
    in_step_one_form(chat)
    chat.command("help")
    assert chat.keys == ["common.help", "contact.ask_platform"]


# ---- bad input never changes the state ------------------------------------------------------


@pytest.fixture
def mid_form(chat: Driver) -> Driver:
    in_step_one_form(chat)
    chat.say("借呗")
    return chat


@pytest.mark.parametrize(
    ("event", "reply_key"),
    [
        (TextInput("借" * 10_000), "common.too_long"),
        (TextInput("   \u200b  "), "common.empty"),
        (Unsupported("sticker"), "common.unsupported"),
        (Unsupported("photo"), "common.unsupported"),
        (Command("frobnicate"), "common.unknown_command"),
        (ButtonPress("0|job_loss"), "common.stale_button"),
        (ButtonPress("garbage"), "common.unknown_button"),
        (ButtonPress(""), "common.unknown_button"),
        (ButtonPress("9999999999999|job_loss"), "common.unknown_button"),
        (ButtonPress("m:../../etc"), "common.unknown_button"),
        (ButtonPress("n:drop_table"), "common.unknown_button"),
        (ButtonPress("g:nothing"), "common.unknown_button"),
    ],
    ids=[
        "10000-chars",
        "blank",
        "sticker",
        "photo",
        "unknown-command",
        "stale-button",
        "garbage-button",
        "empty-button",
        "huge-seq",
        "unknown-step",
        "unknown-nav",
        "unknown-global",
    ],
)
def test_bad_input_gets_a_friendly_reply_and_changes_nothing(mid_form: Driver, event, reply_key):
    before = mid_form.state
    mid_form.send(event)
    assert mid_form.keys[0] == reply_key
    assert mid_form.keys[-1] == "contact.ask_reason"
    assert mid_form.state == before


def test_a_forged_answer_for_the_current_question_is_refused(mid_form: Driver):
    before = mid_form.state
    mid_form.send(ButtonPress(f"{mid_form.state.prompt_seq}|DROP TABLE users"))
    assert mid_form.keys[0] == "common.unknown_button"
    assert mid_form.state == before


def test_an_emoji_only_platform_name_is_refused_kindly(chat: Driver):
    in_step_one_form(chat)
    before = chat.state
    chat.say("😭😭😭")
    assert chat.keys == ["names.no_letters", "contact.ask_platform"]
    assert chat.state == before


def test_a_platform_name_longer_than_thirty_characters_is_refused(chat: Driver):
    in_step_one_form(chat)
    chat.say("很" * 31)
    assert chat.keys == ["form.too_long", "contact.ask_platform"]


def test_typing_on_a_buttons_only_question_asks_for_a_button(chat: Driver):
    chat.press("welcome.begin")
    chat.say("随便说点什么")
    assert chat.keys == ["common.use_buttons", "contact.why"]


def test_every_button_fits_telegram_callback_data_limit(chat: Driver):
    in_step_one_form(chat)
    for _ in range(3):
        for button in chat.buttons:
            assert 0 < len(button.data.encode()) <= MAX_CALLBACK_BYTES
        chat.say("借呗")


def test_buttons_from_an_earlier_question_are_recognised_as_stale(chat: Driver):
    in_step_one_form(chat)
    old_skip = chat.button("nav.skip").data
    chat.say("借呗")
    before = chat.state
    chat.send(ButtonPress(old_skip))
    assert chat.keys[0] == "common.stale_button"
    assert chat.state == before


def test_state_survives_a_json_round_trip(mid_form: Driver):
    from flows.conversation.state import UserState

    restored = UserState.model_validate_json(mid_form.state.model_dump_json())
    assert restored == mid_form.state
    follow_up = machine.handle(restored, ButtonPress(f"{restored.prompt_seq}|family"), mid_form.ctx)
    assert follow_up.replies[0].text.key == "contact.ask_proposal"


def test_the_menu_offers_complaint_channels_the_contact_log_and_reminders_from_anywhere(ctx):
    driver = Driver(ctx)
    driver.command("start")
    driver.command("menu")
    driver.press("commands.complaint")
    assert driver.keys == ["guidance.channels", "menu.main"]  # answered in place
    driver.press("commands.log")
    assert driver.where == ("negotiate", "log")
    driver.command("menu")
    driver.press("commands.reminders")
    assert driver.where == ("reminders", "overview")


def test_start_again_before_entering_anything_does_not_claim_entries_are_kept(chat: Driver):
    chat.command("start")
    assert chat.keys == ["common.welcome_again", "welcome.again"]


def test_start_again_after_an_answer_says_it_is_kept(chat: Driver):
    in_step_one_form(chat)
    chat.say("借呗")
    chat.command("start")
    assert chat.keys[0] == "common.welcome_back"
