"""The complaint letter: what it demands, which law it cites, and what it leaves out."""

from __future__ import annotations

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.context import Context
from flows.domain.ledger import Debt, LenderKind
from tests.driver import Driver, rendered

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _record_incident(ctx: Context, behaviours: tuple[str, ...], locale: str) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="某某贷", lender=LenderKind.MICROLENDER)
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "locale": locale}
    )
    chat.send(ButtonPress("m:collection"))
    label_of = LOCALES.get(locale).messages
    for behaviour in behaviours:
        label = label_of[f"collection.behaviour.{behaviour}"]
        (button,) = [b for b in chat.buttons if label in LOCALES.get(locale).render(b.label)]
        chat.send(ButtonPress(button.data))
    chat.press("collection.continue")
    chat.press("platforms.debt_button")
    chat.say("2026-11-20")
    return chat


ALL_BEHAVIOURS = (
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


def _letter_demands(ctx: Context, typed: str) -> list[str]:
    bot = Driver(ctx)
    bot.command("start")
    bot.send(ButtonPress("m:collection"))
    bot.say(typed)
    bot.press("collection.continue")
    bot.press("platforms.no_platform")
    bot.press("collection.today")
    letter = next(r for r in bot.outcome.replies if r.text.key == "collection.complaint_text")
    return [line.values["demand"].key for line in letter.text.values["demands"]]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_complaint_letter_has_no_how_to_notes_and_no_dated_article_numbers(
    ctx: Context, locale: str
):
    # Before: the letter listed "通话录音（开启自动录音，或接电话时录音）" and "…（可以请他们截图）"
    # and cited "《治安管理处罚法》第四十二条第（一）项" as if the 2012 numbering were current.
    chat = _record_incident(ctx, ALL_BEHAVIOURS, locale)
    replies = rendered(chat, locale)
    letter = replies["collection.complaint_text"]
    for how_to in (
        "开启自动录音",
        "可以请他们截图",
        "截图或下载保存",
        "turn on automatic",
        "ask them",
    ):
        assert how_to not in letter
    for number in ("第四十二条", "第六条", "art. 42", "arts. 6"):
        assert number not in letter
    if locale == "zh-CN":
        assert "《治安管理处罚法》关于威胁他人人身安全的规定" in letter
        assert "通话录音" in letter
    # The how-to notes and the checks are a message of their own, with the buttons.
    tips = replies["collection.complaint_tips"]
    assert chat.outcome is not None and chat.outcome.replies[-1].buttons
    assert "<pre>" not in tips and ("工单号" in tips or "ticket" in tips)


def test_the_public_security_law_is_the_revised_one_with_unchecked_numbers_left_out(
    ctx: Context,
):
    # The 2012 article 42 no longer applies (revised law in force 2026-01-01). The verified
    # (second-hand) article 50(1)(5) and 50(2) are cited; items whose new number we could not
    # check are named by what they forbid, and that is said once per answer.
    chat = _record_incident(ctx, ("threats", "insults", "publish_data"), "zh-CN")
    answer = "\n".join(rendered(chat).values())
    assert "第四十二条" not in answer and "2012" not in answer
    assert "第五十条第一款第（五）项、第二款" in answer
    assert "《治安管理处罚法》（2026-01-01 起施行的修订版）关于威胁他人人身安全的规定" in answer
    assert answer.count("新条文序号我们还没能核对原文") == 1


def test_no_mention_of_the_public_security_law_uses_the_2012_numbering():
    for path in (*PROJECT_ROOT.joinpath("data").glob("*.toml"), *PROJECT_ROOT.glob("locales/*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#"):
                continue
            assert "第四十二条" not in line and "art. 42" not in line, (path.name, line)


def test_the_letter_asks_to_leave_others_alone_only_when_others_were_reached(ctx: Context):
    # Before: "2. 不再联系与债务无关的第三人" even when only night calls to the user were described.
    assert _letter_demands(ctx, "半夜两点打电话骂我") == [
        "collection.demand_stop",
        "collection.demand_negotiate",
    ]
    assert _letter_demands(ctx, "催收打电话给我妈") == [
        "collection.demand_stop",
        "collection.demand_third_parties",
        "collection.demand_negotiate",
    ]
