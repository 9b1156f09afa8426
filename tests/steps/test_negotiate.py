"""Step 5: negotiation scripts with the user's own data, and the contact log per debt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.export import as_csv
from bot.locale import Locales
from bot.render import MESSAGE_LIMIT, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress, Reply
from flows.conversation.state import Profile
from flows.domain.assessment import Assessment
from flows.domain.contact_log import LogEntry
from flows.domain.context import Context
from flows.domain.ledger import Debt, LenderKind, RateQuote
from flows.domain.legal import LegalLine, LineKind
from flows.domain.money import Period
from flows.steps import negotiate
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
DEBT = Debt(id=7, platform="安心借", lender=LenderKind.MICROLENDER, owed_now=Decimal("12500"))


def rendered(reply: Reply, locale: str = "zh-CN") -> str:
    return LOCALES.get(locale).render(reply.text)


@pytest.fixture
def chat(ctx: Context) -> Driver:
    driver = Driver(ctx)
    driver.command("start")
    driver.state = driver.state.model_copy(
        update={
            "debts": (DEBT,),
            "next_debt_id": 8,
            "profile": Profile(delay_reason="job_loss"),
        }
    )
    driver.send(ButtonPress("m:negotiate"))
    return driver


@pytest.fixture
def over_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    verdict = Assessment(
        all_in_annual_rate=Decimal("0.3650"),
        line=Decimal("0.24"),
        exceeds=True,
        interest_above_line=Decimal("1200"),
        legal_line=LegalLine(LineKind.LICENSED, Decimal("0.24"), "2017 意见", "VERIFIED-2nd"),
    )
    monkeypatch.setattr(negotiate, "assess", lambda debt, facts, today: verdict)


def script_for(chat: Driver, kind: str, monthly: str | None = "800", months: str | None = "3"):
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.press(f"negotiate.kind.{kind}")
    if kind == "extension":
        chat.say(months) if months else chat.press("nav.skip")
    if kind != "supervisor":
        chat.say(monthly) if monthly else chat.press("nav.skip")
    assert chat.where == ("negotiate", "script")
    return chat.outcome.replies[0]


# ---- scripts --------------------------------------------------------------------------------


PLATFORM_KINDS = [k for k in negotiate.KINDS if k not in negotiate.CARD_ONLY]


@pytest.mark.parametrize("kind", PLATFORM_KINDS)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_script_is_filled_with_the_users_data(chat: Driver, over_the_line, kind, locale):
    script = script_for(chat, kind)
    assert script.text.key == f"negotiate.script.{kind}"
    text = rendered(script, locale)
    assert "{" not in text and "}" not in text
    assert "安心借" in text and "12,500" in text
    assert "36.5%" in text and "24%" in text  # the legal line this debt exceeds
    if kind != "supervisor":
        assert "800" in text
    if kind == "extension":
        assert ("3个月" if locale == "zh-CN" else "3 month(s)") in text
    if locale == "zh-CN":
        assert "失业" in text  # the reason given in step 1
    assert utf16_length(text) < MESSAGE_LIMIT


@pytest.mark.parametrize("kind", PLATFORM_KINDS)
def test_a_debt_within_the_line_gets_no_legal_sentence(chat: Driver, kind):
    text = rendered(script_for(chat, kind))
    assert "参考线" not in text and "法律上限" not in text
    assert "{" not in text


def test_skipped_amounts_still_give_a_complete_script(chat: Driver):
    text = rendered(script_for(chat, "extension", monthly=None, months=None))
    assert "一段时间" in text and "按自己的实际能力" in text
    assert "{" not in text


def test_the_tips_say_to_stay_calm_and_get_terms_in_writing(chat: Driver):
    script_for(chat, "installments")
    tips = rendered(chat.outcome.replies[1])
    assert "语气平和" in tips and "书面确认" in tips


def test_without_debts_the_platform_and_amount_are_asked_directly(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    assert chat.keys == ["negotiate.ask_platform"]
    assert rendered(chat.outcome.replies[0]).endswith("请输入平台名称（比如“借呗”）：")
    chat.say("分期乐")
    assert chat.keys == ["negotiate.ask_owed"]
    assert "分期乐" in rendered(chat.outcome.replies[0])
    chat.say("1.5万")
    chat.press("negotiate.kind.waive")
    chat.say("600")
    text = rendered(chat.outcome.replies[0])
    assert "分期乐" in text and "15,000" in text and "600" in text


def test_a_bad_amount_gets_a_friendly_reply_and_keeps_the_answers(chat: Driver):
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.press("negotiate.kind.installments")
    for bad in ("-300", "abc", "999999999999"):  # 0 is a real answer (nothing this month)
        chat.say(bad)
        assert chat.keys[-1] == "negotiate.ask_monthly"
        assert chat.keys[0].startswith("parsing.amount.")
    assert chat.state.position.draft["kind"] == "installments"


def test_another_kind_keeps_the_platform_and_amount(chat: Driver):
    script_for(chat, "extension")
    chat.press("negotiate.other_kind")
    assert chat.keys == ["negotiate.ask_kind"]
    chat.press("negotiate.kind.supervisor")
    assert "安心借" in rendered(chat.outcome.replies[0])


def test_a_forged_debt_id_is_refused_kindly(chat: Driver):
    chat.press("negotiate.write_script")
    seq = chat.state.prompt_seq
    chat.send(ButtonPress(f"{seq}|d:999"))
    assert chat.keys[0] == "platforms.unknown_debt"
    assert chat.where == ("negotiate", "choose")


def test_the_evidence_checklist_lists_what_to_keep(chat: Driver):
    chat.press("negotiate.evidence_button")
    text = rendered(chat.outcome.replies[0])
    for item in ("录音", "截图", "短信", "合同", "还款记录"):
        assert item in text


# ---- the contact log ------------------------------------------------------------------------


def log_a_call(chat: Driver) -> None:
    script_for(chat, "installments")
    chat.press("negotiate.log_this")
    chat.press("collection.yesterday")
    chat.press("negotiate.channel.phone")
    chat.say("工号A1023")
    chat.press("negotiate.outcome.agreed")
    chat.say("分12期，每月1100，12月5日起")


def test_a_contact_is_logged_for_the_debt_and_listed(chat: Driver):
    log_a_call(chat)
    # An agreement with a debt on the list: its installments can be recorded for the plan.
    assert chat.keys == ["negotiate.entry_saved", "agreement.after_contact", "negotiate.log"]
    (entry,) = chat.state.contact_log
    assert (entry.platform, entry.debt_id, entry.channel) == ("安心借", 7, "phone")
    assert entry.on.isoformat() == "2026-11-23"
    assert entry.who == "工号A1023" and entry.outcome == "agreed"
    listing = rendered(chat.outcome.replies[2])
    assert "2026-11-23" in listing and "安心借" in listing and "分12期" in listing


def test_an_entry_can_be_edited_one_field_at_a_time(chat: Driver):
    log_a_call(chat)
    chat.press("negotiate.open_entry")
    chat.press("negotiate.edit.outcome")
    assert chat.keys == ["negotiate.ask_outcome"]
    chat.say("说要再考虑三天")
    (entry,) = chat.state.contact_log
    assert entry.outcome is None and entry.outcome_text == "说要再考虑三天"
    assert entry.who == "工号A1023"  # untouched
    assert chat.keys == ["negotiate.entry_updated", "negotiate.entry"]


def test_an_entry_is_deleted_only_after_confirming(chat: Driver):
    log_a_call(chat)
    chat.press("negotiate.open_entry")
    chat.press("negotiate.delete_entry")
    chat.press("negotiate.delete_no")
    assert len(chat.state.contact_log) == 1
    chat.press("negotiate.delete_entry")
    chat.press("negotiate.delete_yes")
    assert chat.state.contact_log == ()
    assert chat.keys == ["negotiate.entry_deleted", "negotiate.log_empty"]


def test_answering_the_form_again_after_going_back_does_not_duplicate(chat: Driver):
    log_a_call(chat)
    chat.press("nav.back")
    assert chat.keys == ["negotiate.ask_terms"]
    chat.say("分10期")
    (entry,) = chat.state.contact_log
    assert entry.terms == "分10期"


def test_a_forged_entry_id_is_refused_kindly(chat: Driver):
    log_a_call(chat)
    seq = chat.state.prompt_seq
    chat.send(ButtonPress(f"{seq}|v:42"))
    assert chat.keys[0] == "negotiate.entry_gone"
    assert len(chat.state.contact_log) == 1


def test_the_log_can_be_opened_from_anywhere_with_a_command(chat: Driver):
    log_a_call(chat)
    chat.command("menu")
    chat.command("log")
    assert chat.where == ("negotiate", "log")


def test_the_log_survives_a_json_round_trip(chat: Driver):
    log_a_call(chat)
    again = type(chat.state).model_validate_json(chat.state.model_dump_json())
    assert again.contact_log == chat.state.contact_log


def test_the_log_is_in_the_csv_export(chat: Driver):
    log_a_call(chat)
    csv = as_csv({"users": [{"user_id": 1, "state": chat.state.model_dump_json()}]}).decode()
    assert "【沟通和催收记录】" in csv
    row = next(line for line in csv.splitlines() if "分12期，每月1100，12月5日起" in line)
    assert row.startswith("2026-") and "安心借" in row


def test_the_log_lists_entries_grouped_per_platform(chat: Driver):
    log = (
        LogEntry(id=1, on=date(2026, 11, 1), platform="借呗"),
        LogEntry(id=2, on=date(2026, 11, 2), platform="安心借", debt_id=7),
        LogEntry(id=3, on=date(2026, 11, 3), platform="借呗"),
    )
    chat.state = chat.state.model_copy(update={"contact_log": log, "next_log_id": 4})
    chat.command("log")
    listing = texts_of(chat)[0]
    platforms = [line.split(" · ")[1] for line in listing.splitlines() if " · " in line]
    assert platforms in (["借呗", "借呗", "安心借"], ["安心借", "借呗", "借呗"])
    assert listing.index("2026-11-01") < listing.index("2026-11-03")


def texts_of(chat: Driver) -> list[str]:
    assert chat.outcome is not None
    return [rendered(r) for r in chat.outcome.replies]


def test_the_real_legal_check_puts_its_line_into_the_script(ctx: Context):
    costly = Debt(
        id=1,
        platform="好借",
        lender=LenderKind.PRIVATE,
        contract_date=date(2025, 6, 1),
        borrowed=Decimal("10000"),
        rate=RateQuote(per_period=Decimal("0.001"), period=Period.DAY),  # 36.5% a year
    )
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"debts": (costly,), "next_debt_id": 2})
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.press("negotiate.kind_private.waive")
    chat.say("500")
    text = rendered(chat.outcome.replies[0])
    assert "36.5%" in text and "12%" in text  # 4 x LPR 3.00% for a contract of 2025-06-01
