"""Warnings a debt counsellor would give (issue 13): new loans to pay old ones, paid "debt
optimisation" agents, a budget short of living costs; and a third party contacted is abusive
collection whether or not the user writes 催收."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.parsing.intents import IntentKind, classify
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
ZH = LOCALES.get("zh-CN")

NEW_LOANS = [
    "我一直在借新还旧",
    "以贷养贷好几个月了",
    "催收让我去另一个App借钱还",
    "催收叫我去别的平台借",
    "要不再借一笔还",
    "想用信用卡还网贷",
    "拆东墙补西墙",
    "撸口子还款",
    "should I take a new loan to pay this one",
]
PAID_AGENTS = [
    "有人说可以代办停息挂账",
    "债务优化公司靠谱吗",
    "找了个反催收团队",
    "他们收3000服务费帮我协商分期",
    "停息挂账要先交保证金",
    "代理退息",
    "上岸导师",
    "is a debt relief company worth it",
]
NEITHER = [
    "我以后不再借新还旧了",
    "我不会找代办",
    "借呗",
    "8000",
    "失业了",
    "想先还一部分",
    "我跟平台协商了分期",
    "我找到新单位了",
]
THIRD_PARTIES = [
    "他们打到我单位了",
    "我妈接到好几个电话",
    "同事都收到短信了",
    "他们把我欠钱的事告诉了我领导",
    "他们闹到我家里",
    "找上门到我老家",
    "领导接到电话了",
    "they called my parents",
]


@pytest.mark.parametrize("typed", NEW_LOANS)
def test_new_loans_to_pay_old_ones_are_recognised(typed: str, facts: Facts):
    assert "new_loans" in classify(typed, facts.intents).counsel


@pytest.mark.parametrize("typed", PAID_AGENTS)
def test_paid_agents_are_recognised(typed: str, facts: Facts):
    assert "paid_agents" in classify(typed, facts.intents).counsel


@pytest.mark.parametrize("typed", NEITHER)
def test_answers_and_resolutions_are_not_warned_about(typed: str, facts: Facts):
    intent = classify(typed, facts.intents)
    assert intent.counsel == () and intent.behaviours == ()


@pytest.mark.parametrize("typed", THIRD_PARTIES)
def test_a_third_party_contacted_is_abusive_collection_without_the_word(typed: str, facts: Facts):
    intent = classify(typed, facts.intents)
    assert "third_parties" in intent.behaviours
    assert intent.kind is IntentKind.COLLECTION


def budget_question(ctx: Context) -> Driver:
    chat = Driver(ctx, UserState(started=True))
    chat.command("budget")
    chat.press("budget.start")
    chat.press("budget.income_kind.fixed")
    return chat


def test_a_collector_pushing_a_new_loan_at_a_question_gets_the_warning_and_the_question(
    ctx: Context,
):
    chat = budget_question(ctx)
    asked = chat.keys[-1]
    chat.say("催收让我去另一个App借钱还他们")
    assert chat.keys[0] == "counsel.new_loans"
    assert chat.keys[-1] == asked
    chat.say("8000")
    assert Decimal(chat.state.position.draft["income"]) == Decimal(8000)


def test_a_paid_agent_in_the_users_own_words_is_warned_about_and_the_words_kept(ctx: Context):
    chat = Driver(ctx, UserState(started=True))
    chat.command("start")
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    chat.say("借呗")
    chat.press("contact.reason.other")
    chat.say("之前交了钱给代办停息挂账的公司被骗了")
    assert chat.keys[0] == "counsel.paid_agents"
    assert chat.keys[-1] == "contact.ask_proposal"


def test_a_budget_short_of_living_costs_says_by_how_much_and_where_to_get_help(ctx: Context):
    chat = budget_question(ctx)
    chat.say("1000")  # income
    for amount in ("1200", "200", "600", "100", "0", "0"):
        chat.say(amount)
    chat.press("nav.skip")  # nothing to sell
    assert chat.keys[:2] == ["budget.nothing_left", "counsel.shortfall"]
    assert chat.where[0] == "negotiate"  # the kind no-plan path
    shortfall = ZH.render(chat.outcome.replies[1].text)
    assert "每月还差 1,100 元" in shortfall
    assert "12348" in shortfall and "最低生活保障" in shortfall and "临时救助" in shortfall
    assert "街道" in shortfall and "乡镇" in shortfall
    chat.command("budget")
    assert chat.keys == ["counsel.shortfall", "budget.summary_nothing_left"]


def test_a_budget_that_covers_living_says_nothing_of_a_shortfall(ctx: Context):
    chat = budget_question(ctx)
    chat.say("8000")
    for amount in ("2000", "300", "1500", "200", "0", "0"):
        chat.say(amount)
    chat.press("nav.skip")
    assert "counsel.shortfall" not in chat.keys
