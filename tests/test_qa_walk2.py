"""Second QA pass: the complaint letter, scripts for a private lender, dates and durations in
everyday words, chart legend tags, the readable CSV export and the plan's first month. Each test
names the input and the wrong output it guards against."""

from __future__ import annotations

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.core import ButtonPress, Context
from flows.ledger import Debt, LenderKind
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def rendered(chat: Driver, locale: str = "zh-CN") -> dict[str, str]:
    assert chat.outcome is not None
    catalog = LOCALES.get(locale)
    by_key: dict[str, str] = {}
    for reply in chat.outcome.replies:
        shown = catalog.render(reply.text)
        by_key[reply.text.key] = (
            f"{by_key[reply.text.key]}\n{shown}" if reply.text.key in by_key else shown
        )
    return by_key


# ---- 1. the complaint letter ----------------------------------------------------------------


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


def test_the_2012_article_numbers_are_named_as_such_with_the_revision_said_once(ctx: Context):
    # Where the bot explains the law it may cite the article, as "2012年版第四十二条", and it
    # says once per answer that the law was revised in 2025.
    chat = _record_incident(ctx, ("threats", "insults", "publish_data"), "zh-CN")
    answer = "\n".join(rendered(chat).values())
    assert "《治安管理处罚法》（2012年版第四十二条第一项）" in answer
    assert "2012 年文本" not in answer and "第四十二条第（" not in answer
    assert answer.count("2025 年修订") == 1


def test_every_mention_of_the_public_security_law_carries_its_version():
    # Any place in the data or the locales naming an article of the law names its version.
    for path in (*PROJECT_ROOT.joinpath("data").glob("*.toml"), *PROJECT_ROOT.glob("locales/*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "第四十二条" in line:
                assert "2012年版第四十二条" in line, (path.name, line)
            if "art. 42" in line:
                assert "2012 version, art. 42" in line, (path.name, line)
