"""Collection answers cite the law as it stands: the revised 治安管理处罚法 (in force
2026-01-01) with the 禁止接触 order the user can ask police for; 公然侮辱 only for public
insults; frequent calls unlawful when they disturb normal life; the court is the local court."""

from __future__ import annotations

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation import guidance
from flows.domain.context import Context
from flows.domain.facts import Facts
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def answer(ctx: Context, typed: str) -> str:
    chat = Driver(ctx)
    chat.command("start")
    chat.say(typed)
    return "\n".join(LOCALES.get("zh-CN").render(r.text) for r in chat.outcome.replies)


def test_harassing_calls_cite_article_50_and_the_no_contact_order(ctx: Context):
    text = answer(ctx, "催收一天打几十个电话")
    assert "第五十条第一款第（五）项、第二款" in text
    assert "禁止接触" in text and "报警时你可以提出这个请求" in text
    assert "干扰到你的正常生活" in text
    assert "一天打很多电话、发很多短信</b>：违法" not in text  # not unlawful by count alone
    assert "第四十二条" not in text


def test_private_insults_are_messages_and_public_insult_is_only_for_public_places(
    facts: Facts,
):
    insults = facts.collection_rules.get("insults")
    assert insults is not None
    assert insults.laws[0].id == "psl_messages"  # insulting calls and texts
    public = next(law for law in insults.laws if law.id == "psl_public_insult")
    assert "群聊、朋友圈、网上等公开场合" in public.says.zh
    assert "群聊、朋友圈、网上等公开场合辱骂你" in insults.why.zh
    for behaviour in facts.collection_rules.behaviours:
        for law in behaviour.laws:
            if "公然侮辱" in law.says.zh:
                assert "公开场合" in law.says.zh


@pytest.mark.parametrize("behaviour", ["insults", "many_calls"])
def test_insults_and_many_calls_are_not_called_unlawful_unconditionally(facts: Facts, behaviour):
    rule = facts.collection_rules.get(behaviour)
    assert rule is not None and rule.verdict != "unlawful"


def test_the_court_channel_is_the_local_court_and_the_online_service(ctx: Context):
    text = LOCALES.get("zh-CN").render(guidance.channels_reply(ctx, "zh-CN").text)
    assert "当地法院" in text and "人民法院在线服务" in text
    assert "互联网法院" not in text


def test_no_data_file_or_locale_still_says_internet_court_filing():
    for path in (*PROJECT_ROOT.joinpath("data").glob("*.toml"), *PROJECT_ROOT.glob("locales/*")):
        assert "互联网法院网上立案" not in path.read_text(encoding="utf-8"), path.name


def test_overdue_debts_are_usually_reported_with_notice_first(ctx: Context):
    for path in PROJECT_ROOT.glob("locales/*.toml"):
        assert "（会影响征信）" not in path.read_text(encoding="utf-8")
    zh = (PROJECT_ROOT / "locales" / "zh-CN.toml").read_text(encoding="utf-8")
    assert "通常会上报征信，上报前应通知你" in zh
