"""Crisis first, everywhere (issue 13): words of suicide or self-harm get the hotline reply
before any other reading, at every step and in every free-text field; the user's place, draft
and pending question stay as they were, and the text is kept nowhere."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation import crisis
from flows.conversation.core import ButtonPress, Command, Outcome, TextInput, Unsupported
from flows.conversation.state import UserState
from flows.dispatcher import machine
from flows.domain.context import Context
from flows.domain.ledger import Debt, LenderKind
from tests.driver import Driver, adding_a_debt

LOCALES = Locales.load(PROJECT_ROOT / "locales")
ZH = LOCALES.get("zh-CN")
CRISIS_TEXTS = ["我不想活了", "活着没意思，想一了百了", "想跳楼", "I want to end my life", "想輕生"]


def rendered(outcome: Outcome, locale: str = "zh-CN") -> str:
    catalog = LOCALES.get(locale)
    parts = [catalog.render(r.text) for r in outcome.replies]
    parts += [catalog.render(b.label) for r in outcome.replies for row in r.buttons for b in row]
    return "\n".join(parts)


def assert_crisis_reply_only(before: UserState, outcome: Outcome, typed: str, ctx: Context):
    """The hotline reply alone; the state as it was but for the time of the reply."""
    assert [r.text.key for r in outcome.replies] == ["crisis.reply"]
    assert outcome.state == before.model_copy(update={"crisis_shown_at": ctx.now})
    for locale in ("zh-CN", "en"):
        shown = rendered(outcome, locale)
        assert "12356" in shown and "110" in shown and "120" in shown
        assert typed not in shown
    assert typed not in outcome.state.model_dump_json()
    datas = [b.data for r in outcome.replies for row in r.buttons for b in row]
    assert datas == ["g:crisis:today", "g:crisis:later"]


def crisis_at(chat: Driver, typed: str = "我不想活了") -> None:
    before = chat.state
    assert_crisis_reply_only(before, chat.say(typed), typed, chat.ctx)


def started(ctx: Context) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    return chat


# ---- at the welcome ------------------------------------------------------------------------


def test_a_newcomer_whose_first_words_are_of_crisis_hears_the_hotline_not_the_welcome(
    ctx: Context,
):
    chat = Driver(ctx)
    crisis_at(chat)
    assert not chat.state.started
    chat.press("crisis.today")
    assert chat.keys == ["crisis.one_step", "welcome.intro", "welcome.privacy"]
    assert chat.state.started


def test_a_newcomer_can_carry_on_later_without_being_walked_into_the_welcome(ctx: Context):
    chat = Driver(ctx)
    chat.say("想死")
    chat.press("crisis.later")
    assert chat.keys == ["crisis.see_you"]
    assert not chat.state.started


def test_crisis_words_on_the_welcome_are_not_told_to_press_a_button(ctx: Context):
    chat = started(ctx)
    begin = chat.button("welcome.begin")
    crisis_at(chat)
    assert chat.where == ("welcome", "intro")
    chat.send(ButtonPress(begin.data))  # the welcome's own button still works
    assert chat.where == ("contact", "why")


# ---- in each step's form fields --------------------------------------------------------------


def in_step_one_form(ctx: Context) -> Driver:
    chat = started(ctx)
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    return chat


def test_the_platform_name_question_is_still_pending_after_a_crisis_text(ctx: Context):
    chat = in_step_one_form(ctx)
    crisis_at(chat, "我是活着没意思，想一了百了")
    chat.say("借呗")
    assert chat.keys == ["contact.ask_reason"]
    assert chat.state.position.draft["platform"] == "借呗"


def test_a_crisis_text_as_the_reason_is_never_pasted_into_the_script(ctx: Context):
    chat = in_step_one_form(ctx)
    chat.say("借呗")
    chat.press("contact.reason.other")
    assert chat.keys == ["contact.ask_reason_text"]
    crisis_at(chat, "活着没意思，想一了百了")
    chat.say("工资被拖欠了")
    assert chat.keys == ["contact.ask_proposal"]
    chat.press("contact.proposal.extension")
    script = rendered(chat.outcome)
    assert "工资被拖欠了" in script and "一了百了" not in script


def test_a_crisis_text_at_a_debt_amount_leaves_the_debt_form_where_it_was(ctx: Context):
    chat = adding_a_debt(ctx)
    chat.say("借呗")
    chat.press("debts.lender.unknown")
    chat.say("2023-09-01")
    draft = chat.state.position.draft
    question = chat.outcome.replies[-1]  # how much was borrowed
    crisis_at(chat, "欠了两万，不想活了")
    assert chat.state.position.draft == draft
    assert machine.current_prompt(chat.state, ctx).replies[-1] == question
    chat.say("1万")
    assert Decimal(chat.state.position.draft["borrowed"]) == Decimal("10000")


def test_a_crisis_text_in_the_budget_then_the_next_amount_is_taken(ctx: Context):
    chat = started(ctx)
    chat.command("budget")
    chat.press("budget.start")
    chat.press("budget.income_kind.fixed")
    crisis_at(chat, "8000块都不够还，我想死")
    chat.say("8000")
    assert Decimal(chat.state.position.draft["income"]) == Decimal("8000")


def test_a_crisis_text_as_the_collection_story_is_not_kept_for_the_complaint(ctx: Context):
    chat = started(ctx)
    chat.send(ButtonPress("m:collection"))
    crisis_at(chat, "催收天天打电话，我想跳楼")
    assert "跳楼" not in chat.state.model_dump_json()


def test_a_crisis_text_as_the_goal_after_paying_off_is_not_praised_as_the_next_step(
    ctx: Context,
):
    chat = started(ctx)
    chat.send(ButtonPress("m:afterwards"))
    chat.send(ButtonPress(f"{chat.state.prompt_seq}|set:"))
    chat.press("afterwards.kind.own")
    assert chat.keys[-1] == "afterwards.ask_own"
    crisis_at(chat, "一了百了")
    assert chat.state.next_action is None
    chat.say("每月存500")
    assert chat.state.next_action is not None
    assert chat.state.next_action.own_words == "每月存500"


# ---- any event with words --------------------------------------------------------------------


def test_a_caption_a_command_argument_and_an_overlong_text_are_read_for_crisis_first(
    ctx: Context,
):
    chat = in_step_one_form(ctx)
    before = chat.state
    for event in (
        Unsupported("photo", caption="我不想活了"),
        Command("start", "我不想活了"),
        TextInput("我" * 2100 + "不想活了"),
    ):
        outcome = machine.handle(before, event, ctx)
        assert [r.text.key for r in outcome.replies] == ["crisis.reply"]
        assert outcome.state.position == before.position


def test_idioms_are_read_as_usual(ctx: Context):
    chat = in_step_one_form(ctx)
    chat.say("忙死了")
    assert chat.keys == ["contact.ask_reason"]
    assert chat.state.position.draft["platform"] == "忙死了"


# ---- every step, every node (seeded random walks) ----------------------------------------------

ENTRIES = ["m:contact", "m:debts", "m:budget", "m:plan", "m:negotiate", "m:collection"]
ENTRIES += ["m:afterwards", "n:/reminders", "n:/complaint"]
TEXTS = ["借呗", "8000", "1.5万", "0", "失业了", "11月20日", "去哪里投诉", "催收打我家人", "abc"]


@pytest.mark.parametrize("seed", range(12))
def test_at_every_node_a_crisis_text_changes_nothing_but_the_time_of_the_reply(
    ctx: Context, seed: int
):
    rng = random.Random(seed)
    chat = started(ctx)
    debts = (Debt(id=1, platform="借呗", lender=LenderKind.MICROLENDER, owed_now=Decimal("8000")),)
    chat.state = chat.state.model_copy(update={"debts": debts, "next_debt_id": 2})
    chat.send(ButtonPress(rng.choice(ENTRIES)))
    for _ in range(30):
        typed = rng.choice(CRISIS_TEXTS)
        assert_crisis_reply_only(
            chat.state, machine.handle(chat.state, TextInput(typed), ctx), typed, ctx
        )
        if rng.random() < 0.7 and chat.buttons:
            data = rng.choice(chat.buttons).data
            if not data.startswith("g:crisis"):
                chat.send(ButtonPress(data))
        else:
            chat.say(rng.choice(TEXTS))


# ---- the reply's buttons ------------------------------------------------------------------------


def test_what_can_be_done_today_asks_the_pending_question_again(ctx: Context):
    chat = in_step_one_form(ctx)
    crisis_at(chat)
    chat.press("crisis.today")
    assert chat.keys == ["crisis.one_step", "contact.ask_platform"]
    assert chat.where == ("contact", "form")


def test_carry_on_later_keeps_the_place_and_offers_reminders_after_all(ctx: Context):
    chat = in_step_one_form(ctx)
    crisis_at(chat)
    position = chat.state.position
    chat.press("crisis.later")
    assert chat.keys == ["crisis.see_you"]
    assert chat.state.position == position
    assert crisis.reminders_held(chat.state, ctx.now + timedelta(days=1))
    chat.press("crisis.remind_me")
    assert chat.keys == ["crisis.reminders_on"]
    assert not crisis.reminders_held(chat.state, ctx.now + timedelta(days=1))
    chat.say("借呗")
    assert chat.keys == ["contact.ask_reason"]


def test_reminders_wait_a_few_days_after_a_crisis_reply(ctx: Context):
    state = UserState(started=True, crisis_shown_at=ctx.now)
    days = ctx.facts.crisis.hold_reminder_days
    assert days == 3
    assert crisis.reminders_held(state, ctx.now + timedelta(days=days, seconds=-1))
    assert not crisis.reminders_held(state, ctx.now + timedelta(days=days))
    assert not crisis.reminders_held(UserState(), ctx.now)


# ---- the lines in /help and the welcome --------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_help_and_the_welcome_name_the_hotline_and_the_emergency_numbers(ctx: Context, locale: str):
    chat = Driver(ctx, machine.start_state(locale))
    chat.command("start")
    welcome = rendered(chat.outcome, locale)
    assert welcome.count("12356") == 1 and "110" in welcome and "120" in welcome
    chat.command("help")
    shown = rendered(chat.outcome, locale)
    assert "12356" in shown and "110" in shown and "120" in shown


def test_the_crisis_numbers_come_from_the_data_file_not_the_locale_strings():
    for catalog in LOCALES.catalogs.values():
        typed_in = [k for k, v in catalog.messages.items() if "12356" in v or "12348" in v]
        assert typed_in == [], catalog.name
