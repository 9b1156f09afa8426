"""What frightened people ask — 会坐牢吗, 会被起诉吗, 过了几年还要还吗, 征信能修复吗, 个人破产 — is
answered from its step (buttons) and as a question asked in passing, with every legal number
from data/legal_facts.toml, and the user's place kept."""

from __future__ import annotations

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.parsing.intents import IntentKind, classify
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")

# typed in passing -> the answer's locale key
IN_PASSING = [
    ("会坐牢吗", "guidance.lawsuit"),
    ("欠网贷会坐牢吗？", "guidance.lawsuit"),
    ("会被起诉吗", "guidance.lawsuit"),
    ("我会不会被起诉啊", "guidance.lawsuit"),
    ("过了几年还要还吗", "fears.limitation"),
    ("过了三年还要还吗", "fears.limitation"),
    ("拖了好几年了还用还吗", "fears.limitation"),
    ("网贷有没有诉讼时效", "fears.limitation"),
    ("几年不还会怎样", "fears.limitation"),
    ("征信能修复吗", "guidance.scam_warning"),
    ("征信可以修复吗？", "guidance.scam_warning"),
    ("能申请个人破产吗", "fears.bankruptcy"),
    ("有人说可以帮我债务重组", "fears.bankruptcy"),
]
# ordinary answers that must not be taken for these questions
NOT_FEARS = ["借了三年了", "2023年借的", "三年期", "每月还两千", "公司破产了没工资"]


def shown(reply, locale: str = "zh-CN") -> str:
    return LOCALES.get(locale).render(reply.text)


def at_reason_question(ctx: Context) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    chat.say("借呗")
    assert chat.keys == ["contact.ask_reason"]
    return chat


@pytest.mark.parametrize(("typed", "key"), IN_PASSING)
def test_a_fear_asked_in_passing_is_answered_and_the_question_asked_again(ctx: Context, typed, key):
    chat = at_reason_question(ctx)
    before = chat.state.position
    chat.say(typed)
    assert key in chat.keys
    assert chat.keys[-2:] == ["interrupts.back_to_question", "contact.ask_reason"]
    assert chat.state.position == before
    text = "\n".join(shown(r) for r in chat.outcome.replies)
    assert "{" not in text


@pytest.mark.parametrize("typed", NOT_FEARS)
def test_an_ordinary_answer_is_not_taken_for_a_fear(facts: Facts, typed):
    intent = classify(typed, facts.intents)
    assert not intent.fears and intent.kind is not IntentKind.FEAR


def test_company_bankruptcy_as_a_reason_is_the_users_answer(ctx: Context):
    chat = at_reason_question(ctx)
    chat.say("公司破产了没工资")
    assert chat.keys == ["contact.ask_proposal"]


# ---- what the answers say ---------------------------------------------------------------------


def _answer(ctx: Context, typed: str, key: str, locale: str = "zh-CN") -> str:
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"locale": locale})
    chat.say(typed)
    return next(shown(r, locale) for r in chat.outcome.replies if r.text.key == key)


def test_the_court_answer_says_civil_suit_judgment_first_and_which_acts_are_crimes(ctx: Context):
    text = _answer(ctx, "会坐牢吗", "guidance.lawsuit")
    assert "<b>民事</b>" in text and "12368" in text and "12348" in text
    assert "有能力履行却不履行" in text  # 失信 / 限高 only after an unpaid judgment
    assert "第三百一十三条" in text and "第一百九十六条" in text
    assert "<b>单纯没钱还，不是犯罪。</b>" in text
    assert "（来自非官方资料，仅供参考）" in text  # 12368 / 12348 are second-hand


def test_the_limitation_answer_gives_the_civil_code_rules(ctx: Context):
    text = _answer(ctx, "过了几年还要还吗", "fears.limitation")
    for article in ("第一百八十八条", "第一百八十九条", "第一百九十二条", "第一百九十五条"):
        assert article in text
    assert "3 年" in text and "<b>最后一期</b>" in text
    assert "答应还款或者还了钱，就不能再以时效为由拒绝" in text


def test_the_credit_repair_answer_gives_the_objection_route_and_phone(ctx: Context):
    text = _answer(ctx, "征信能修复吗", "guidance.scam_warning")
    assert "只有<b>错误</b>的记录才能更正" in text
    assert "400-810-8866" in text and "第二十六条" in text and "第二十五条" in text
    assert "12363（未核实，仅供参考）" in text  # its current remit is not verified


def test_the_bankruptcy_answer_is_only_the_shenzhen_pilot(ctx: Context):
    text = _answer(ctx, "个人破产", "fears.bankruptcy")
    assert "深圳经济特区个人破产条例" in text and "2021-03-01" in text
    assert "不是法律程序" in text


@pytest.mark.parametrize(
    ("typed", "key", "words"),
    [
        ("会坐牢吗", "guidance.lawsuit", ("art. 313", "civil", "12368")),
        ("过了几年还要还吗", "fears.limitation", ("art. 188", "art. 195", "3 years")),
        ("征信能修复吗", "guidance.scam_warning", ("art. 25", "400-810-8866")),
    ],
)
def test_the_answers_in_english(ctx: Context, typed, key, words):
    text = _answer(ctx, typed, key, "en")
    for word in words:
        assert word in text


# ---- reachable from their steps ---------------------------------------------------------------


def test_the_debt_list_offers_the_worries_and_answers_them_in_place(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.command("debts")
    chat.press("fears.button.menu")
    assert chat.keys[0] == "fears.menu" and chat.where == ("debts", "list")
    chat.press("fears.button.limitation")
    assert chat.keys[0] == "fears.limitation" and chat.where == ("debts", "list")


@pytest.mark.parametrize("topic", ["court", "limitation", "credit_fix", "bankruptcy"])
def test_every_worry_in_the_menu_is_answered(ctx: Context, topic):
    chat = Driver(ctx)
    chat.command("start")
    chat.command("debts")
    chat.press("fears.button.menu")
    chat.press(f"fears.button.{topic}")
    assert "{" not in shown(chat.outcome.replies[0])


def test_the_collection_step_offers_court_and_credit_repair(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress("m:collection"))
    chat.press("fears.button.court")
    assert chat.keys[0] == "guidance.lawsuit" and chat.where[0] == "collection"
    chat.press("fears.button.credit_fix")
    assert chat.keys[0] == "guidance.scam_warning" and chat.where[0] == "collection"


def test_the_afterwards_step_offers_credit_repair(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress("m:afterwards"))
    intro = shown(chat.outcome.replies[-1])
    assert "《征信业管理条例》第十六条" in intro
    chat.press("fears.button.credit_fix")
    assert chat.keys[0] == "guidance.scam_warning" and chat.where[0] == "afterwards"


def test_a_forged_worry_topic_is_refused_kindly(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.command("debts")
    chat.send(ButtonPress("g:fear:nonsense"))
    assert chat.keys[0] == "common.unknown_button" and chat.where == ("debts", "list")


def test_a_fear_in_the_users_own_words_is_kept_and_answered_on_top(ctx: Context):
    chat = at_reason_question(ctx)
    chat.press("contact.reason.other")
    assert chat.keys == ["contact.ask_reason_text"]  # free text: never hijacked
    chat.say("拖了好几年了还用还吗，我真的没钱")
    assert chat.keys == ["fears.limitation", "contact.ask_proposal"]
    assert chat.state.position.draft["reason_text"].startswith("拖了好几年")
