"""Step 6 and step 7: abusive collection (verdicts, evidence, channels, the complaint text, the
incident in the log), /complaint from anywhere, and the next action after paying off."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.render import MESSAGE_LIMIT, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.contact_log import LogEntry
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.ledger import Debt, LenderKind
from flows.steps.collection import complaint_values
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
ZH = LOCALES.get("zh-CN")


def texts(chat: Driver, locale: str = "zh-CN") -> list[str]:
    assert chat.outcome is not None
    return [LOCALES.get(locale).render(r.text) for r in chat.outcome.replies]


@pytest.fixture
def chat(ctx: Context) -> Driver:
    driver = Driver(ctx)
    driver.command("start")
    bank_debt = Debt(id=3, platform="招联金融", lender=LenderKind.CONSUMER_FINANCE)
    driver.state = driver.state.model_copy(update={"debts": (bank_debt,), "next_debt_id": 4})
    driver.send(ButtonPress("m:collection"))
    return driver


def tick(chat: Driver, behaviour: str) -> None:
    label = ZH.messages[f"collection.behaviour.{behaviour}"]
    match = [
        b
        for b in chat.buttons
        if b.label.key.startswith("collection.") and label in ZH.render(b.label)
    ]
    assert len(match) == 1
    chat.send(ButtonPress(match[0].data))


def finish(chat: Driver, day: str = "11月20日") -> None:
    chat.press("collection.continue")
    chat.press("platforms.debt_button")
    chat.say(day)


def test_picking_what_happened_ticks_and_unticks(chat: Driver):
    tick(chat, "contact_list")
    assert chat.state.position.draft["picked"] == ["contact_list"]
    tick(chat, "contact_list")
    assert chat.state.position.draft["picked"] == []


def test_continuing_without_anything_picked_asks_for_it(chat: Driver):
    chat.press("collection.continue")
    assert chat.keys[0] == "collection.pick_first"
    assert chat.where == ("collection", "pick")


def test_describing_in_own_words_ticks_what_it_recognises(chat: Driver):
    chat.say("催收天天打我电话，还打给我妈，把我通讯录也爆了")
    assert chat.keys == ["collection.recognised", "collection.intro"]
    assert chat.state.position.draft["picked"] == ["many_calls", "third_parties", "contact_list"]
    assert "天天打我电话" in texts(chat)[1]


def test_an_unrecognised_description_is_kept_for_the_complaint(chat: Driver):
    chat.say("他们的态度特别差")
    assert chat.keys == ["collection.not_recognised", "collection.intro"]
    tick(chat, "insults")
    finish(chat)
    assert "他们的态度特别差" in texts(chat)[-2]


def test_the_result_says_why_it_is_unlawful_with_marks_and_evidence(chat: Driver):
    tick(chat, "threats")
    tick(chat, "contact_list")
    finish(chat)
    keys = chat.keys
    assert keys == [
        "collection.recorded",
        "guidance.behaviour",
        "guidance.behaviour",
        "guidance.channels",
        "collection.complaint_text",
        "collection.complaint_tips",
    ]
    threats, contact_list = texts(chat)[1:3]
    assert "违法" in threats and "2026-01-01 起施行的修订版" in threats
    assert "（来自非官方资料，仅供参考）" in threats
    assert "通话录音" in threats
    assert "爆通讯录" in contact_list and "（未核实，仅供参考）" in contact_list
    assert "截图" in contact_list


def test_channels_fit_the_lender_and_the_behaviour(chat: Driver):
    tick(chat, "many_calls")
    finish(chat)
    channels = texts(chat)[2]
    assert "12378" in channels  # a consumer finance company
    assert "12321" in channels  # harassing calls
    assert "地方金融管理局" not in channels  # only for microlenders
    assert "2026-12-06" in channels  # the date the list was checked


def test_the_complaint_text_is_prefilled_with_the_users_facts(chat: Driver):
    tick(chat, "third_parties")
    tick(chat, "fake_documents")
    finish(chat)
    complaint = texts(chat)[-2]
    assert "招联金融" in complaint and "2026-11-20" in complaint
    assert "联系与债务无关的我的家人" in complaint and "律师函" in complaint
    assert "{" not in complaint
    assert all(utf16_length(t) < MESSAGE_LIMIT for t in texts(chat))


def test_every_behaviour_at_once_still_fits_telegrams_limit(chat: Driver, facts: Facts):
    for behaviour in facts.collection_rules.ids:
        tick(chat, behaviour)
    finish(chat)
    for locale in LOCALES.catalogs:
        assert all(utf16_length(t) < MESSAGE_LIMIT for t in texts(chat, locale))


def test_the_incident_is_a_dated_entry_in_the_log(chat: Driver):
    tick(chat, "night_calls")
    finish(chat, "昨天")
    (entry,) = chat.state.contact_log
    assert entry.kind == "incident" and entry.on.isoformat() == "2026-11-23"
    assert entry.platform == "招联金融" and entry.behaviours == ("night_calls",)
    chat.press("collection.see_log")
    assert "催收事件" in texts(chat)[0]


def test_going_back_and_changing_the_date_corrects_the_same_incident(chat: Driver):
    tick(chat, "insults")
    finish(chat)
    chat.press("nav.back")
    chat.say("11月21日")
    (entry,) = chat.state.contact_log
    assert entry.on.isoformat() == "2026-11-21"


def test_a_future_date_is_refused_kindly(chat: Driver):
    tick(chat, "insults")
    chat.press("collection.continue")
    chat.press("platforms.debt_button")
    chat.say("2027-01-01")
    assert chat.keys == ["days.in_future", "collection.ask_when"]
    assert chat.state.contact_log == ()


def test_a_forged_toggle_is_refused_kindly(chat: Driver):
    seq = chat.state.prompt_seq
    chat.send(ButtonPress(f"{seq}|t:99"))
    assert chat.keys[0] == "common.unknown_button"
    chat.send(ButtonPress(f"{seq}|t:-1"))
    assert chat.keys[0] == "common.unknown_button"


# ---- from anywhere --------------------------------------------------------------------------


def test_complaint_command_shows_channels_and_keeps_the_place(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    chat.say("借呗")
    chat.command("complaint")
    assert chat.keys == ["guidance.channels", "contact.ask_reason"]
    assert chat.where == ("contact", "form")
    assert chat.state.position.draft["platform"] == "借呗"
    assert "12378" in texts(chat)[0] and "110" in texts(chat)[0]


def test_guidance_in_passing_can_open_the_step_with_the_behaviour_ticked(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.press("welcome.begin")
    chat.press("contact.write_script")
    chat.say("催收爆我通讯录了")
    record = chat.button("interrupts.record_incident")
    assert record.data.startswith("g:coll:")
    chat.send(ButtonPress(record.data))
    assert chat.where == ("collection", "pick")
    assert chat.state.position.draft["picked"] == ["contact_list"]


@pytest.mark.parametrize("forged", ["g:coll:", "g:coll:999", "g:coll:a,b", "g:coll:5,5,5,-1"])
def test_a_forged_record_button_opens_the_step_without_harm(ctx: Context, forged):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress(forged))
    assert chat.where == ("collection", "pick")
    assert set(chat.state.position.draft["picked"]) <= {"contact_list"}


def test_guidance_works_without_any_facts_loaded(ctx: Context):
    bare = Context(now=ctx.now, facts=Facts())
    chat = Driver(bare)
    chat.command("start")
    chat.command("complaint")
    assert chat.keys[0] == "guidance.no_channels"


# ---- step 7 ---------------------------------------------------------------------------------


def test_afterwards_stores_one_concrete_next_action(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress("m:afterwards"))
    intro = texts(chat)[0]
    assert "应急金" in intro and "理性消费" in intro and "持牌机构" in intro
    chat.press("afterwards.set_action")
    chat.press("afterwards.kind.save_monthly")
    chat.say("abc")
    assert chat.keys == ["parsing.amount.not_number", "afterwards.ask_amount"]
    chat.say("300")
    action = chat.state.next_action
    assert action is not None and action.kind == "save_monthly"
    assert action.amount == Decimal("300.00") and action.set_on.isoformat() == "2026-11-24"
    assert "每月存 300 元" in texts(chat)[0]
    chat.command("menu")
    chat.send(ButtonPress("m:afterwards"))
    assert "每月存 300 元" in texts(chat)[0]


def test_afterwards_accepts_a_next_action_in_own_words(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress("m:afterwards"))
    chat.press("afterwards.set_action")
    chat.press("afterwards.kind.own")
    chat.say("每周记一次账")
    assert chat.state.next_action is not None
    assert chat.state.next_action.own_words == "每周记一次账"


def _cited_laws(ctx: Context, lender: str | None) -> str:
    entry = LogEntry(id=1, kind="incident", on=date(2026, 11, 20), behaviours=("threats",))
    values = complaint_values(entry, ctx, "zh-CN", lender)
    return ZH.render(values["laws"])


def test_a_letter_about_a_licensed_lender_does_not_cite_the_illegal_debts_crime(ctx: Context):
    # Collecting a legal debt by threats is covered by other laws; citing the crime of
    # collecting illegal debts against a bank would only weaken the letter.
    assert "催收非法债务" not in _cited_laws(ctx, LenderKind.BANK.value)
    assert "治安管理处罚法" in _cited_laws(ctx, LenderKind.BANK.value)
    assert "催收非法债务" in _cited_laws(ctx, LenderKind.PRIVATE.value)
    assert "催收非法债务" in _cited_laws(ctx, None)  # not known: the user may be facing usury
