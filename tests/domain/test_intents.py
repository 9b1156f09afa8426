"""Intent routing: questions asked in passing reach the complaint channels, collection guidance
or the 征信修复 warning from any question — and ordinary answers never do."""

from __future__ import annotations

import pytest

from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.parsing.intents import IntentKind, classify
from tests.driver import Driver

# (typed, what it must reach, the behaviour it names — for collection incidents)
MUST_ROUTE = [
    ("去哪里投诉", IntentKind.COMPLAINT, None),
    ("去哪投诉催收", IntentKind.COMPLAINT, None),
    ("在哪里可以举报", IntentKind.COMPLAINT, None),
    ("怎么投诉这个平台？", IntentKind.COMPLAINT, None),
    ("如何举报暴力催收", IntentKind.COMPLAINT, None),
    ("找谁投诉比较有用", IntentKind.COMPLAINT, None),
    ("投诉电话是多少", IntentKind.COMPLAINT, None),
    ("有没有投诉渠道", IntentKind.COMPLAINT, None),
    ("我能投诉吗", IntentKind.COMPLAINT, None),
    ("我要投诉", IntentKind.COMPLAINT, None),
    ("投诉", IntentKind.COMPLAINT, None),
    ("12378能管网贷吗", IntentKind.COMPLAINT, None),
    ("报警有用吗", IntentKind.COMPLAINT, None),
    ("打12378有用吗", IntentKind.COMPLAINT, None),
    ("where to complain", IntentKind.COMPLAINT, None),
    ("催收打我家人电话怎么办", IntentKind.COLLECTION, "third_parties"),
    ("催收爆我通讯录了", IntentKind.COLLECTION, "contact_list"),
    ("他们把我通讯录爆了", IntentKind.COLLECTION, "contact_list"),
    ("通讯录里的人都收到短信了", IntentKind.COLLECTION, "contact_list"),
    ("催收给我单位领导打电话", IntentKind.COLLECTION, "third_parties"),
    ("我爸妈接到催收电话", IntentKind.COLLECTION, "third_parties"),
    ("催收威胁说要上门", IntentKind.COLLECTION, "threats"),
    ("催收员在电话里骂我", IntentKind.COLLECTION, "insults"),
    ("半夜两点打电话催我还钱", IntentKind.COLLECTION, "night_calls"),
    ("一天打几十个电话", IntentKind.COLLECTION, "many_calls"),
    ("收到一封律师函说要起诉我", IntentKind.COLLECTION, "fake_documents"),
    ("有人冒充警察打电话", IntentKind.COLLECTION, "fake_documents"),
    ("把我照片发到网上了", IntentKind.COLLECTION, "publish_data"),
    ("催收让我把钱转到个人账户", IntentKind.COLLECTION, "personal_account"),
    ("征信修复", IntentKind.SCAM, None),
    ("有人说能帮我征信修复", IntentKind.SCAM, None),
    ("逾期修复靠谱吗", IntentKind.SCAM, None),
    ("能洗白征信吗", IntentKind.SCAM, None),
    ("花钱消除逾期记录", IntentKind.SCAM, None),
    ("他说有内部渠道可以删记录", IntentKind.SCAM, None),
    ("可以删除不良记录吗", IntentKind.SCAM, None),
    ("征信黑了能修复吗", IntentKind.SCAM, None),
    ("credit repair", IntentKind.SCAM, None),
]

MUST_NOT_ROUTE = [
    "我想投资",
    "修复手机屏幕",
    "我的平台叫洗白白",
    "借呗",
    "360借条",
    "5000",
    "1.5万",
    "每月能还2000",
    "我在公司上班",
    "找朋友借钱周转",
    "我联系了客服",
    "家里出了变故",
    "我一直打客服电话打不通",
    "逾期了能不能去掉罚息",
    "凌晨还在打工",
    "查一下我的征信报告",
    "我想还清以后好好存钱",
    "老公生病住院了",
    "平台同意分12期",
    "12378",
    "12321元",
]


@pytest.mark.parametrize(("typed", "kind", "behaviour"), MUST_ROUTE)
def test_a_question_in_passing_is_recognised(facts: Facts, typed, kind, behaviour):
    intent = classify(typed, facts.intents)
    assert intent.kind is kind
    if behaviour:
        assert behaviour in intent.behaviours
    if kind is IntentKind.SCAM:
        assert intent.scam


@pytest.mark.parametrize("typed", MUST_NOT_ROUTE)
def test_an_ordinary_answer_is_not_taken_for_a_question(facts: Facts, typed):
    assert classify(typed, facts.intents).kind is IntentKind.NONE


def test_the_tables_are_as_long_as_the_issue_asks():
    assert len(MUST_ROUTE) >= 30
    assert len(MUST_NOT_ROUTE) >= 15


# ---- through the machine: from the middle of a question ----------------------------------

GUIDANCE_KEYS = {"guidance.channels", "guidance.scam_warning"}


def at_reason_question(ctx: Context) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    chat.say("借呗")
    assert chat.keys == ["contact.ask_reason"]
    return chat


@pytest.mark.parametrize(("typed", "kind", "behaviour"), MUST_ROUTE)
def test_every_routed_phrase_answers_and_asks_the_same_question_again(
    ctx: Context, typed, kind, behaviour
):
    chat = at_reason_question(ctx)
    before = chat.state
    chat.say(typed)
    assert GUIDANCE_KEYS & set(chat.keys)
    assert chat.keys[-2:] == ["interrupts.back_to_question", "contact.ask_reason"]
    assert chat.state.position == before.position
    assert chat.state.position.draft["platform"] == "借呗"


@pytest.mark.parametrize("typed", MUST_NOT_ROUTE)
def test_every_ordinary_phrase_is_taken_as_the_answer(ctx: Context, typed):
    chat = at_reason_question(ctx)
    chat.say(typed)
    assert not GUIDANCE_KEYS & set(chat.keys)
    assert chat.keys == ["contact.ask_proposal"]  # typed reason = "in my own words"


def test_a_scam_word_in_the_users_own_words_is_kept_and_warned_about(ctx: Context):
    chat = at_reason_question(ctx)
    chat.press("contact.reason.other")
    assert chat.keys == ["contact.ask_reason_text"]  # a free-text question: never hijacked
    chat.say("有人说交钱可以征信修复，我差点信了")
    assert chat.keys == ["guidance.scam_warning", "contact.ask_proposal"]
    assert chat.state.position.draft["reason_text"].startswith("有人说交钱")


def test_a_complaint_question_in_the_users_own_words_is_not_hijacked(ctx: Context):
    chat = at_reason_question(ctx)
    chat.press("contact.reason.other")
    chat.say("去哪里投诉都没用，催收天天骂我")
    assert chat.keys == ["contact.ask_proposal"]


def test_without_facts_nothing_is_routed(ctx: Context):
    assert classify("去哪里投诉", None).kind is IntentKind.NONE
    assert classify("去哪里投诉", Facts().intents).kind is IntentKind.NONE
