"""Unknown is not private: an unknown lender gets every line that could apply, worded
conditionally, in the debt check and in the negotiation scripts; a licensed lender gets no
"illegal lending" note; only a credit card is offered the personalised installment plan."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.conversation.state import Profile
from flows.domain.assessment import assess
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.ledger import Debt, LenderKind, RateQuote
from flows.domain.legal import LineKind, line_for
from flows.domain.money import Period
from flows.steps import negotiate
from flows.steps.debts import legal_check
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
TODAY = date(2026, 11, 24)
# 日息万五 plus up-front deduction: far above every line (4 x LPR, 24%, 36%).
EXPENSIVE = {
    "platform": "安心借",
    "contract_date": date(2025, 6, 1),
    "borrowed": Decimal(10000),
    "received": Decimal(10000),
    "rate": RateQuote(per_period=Decimal("0.0015"), period=Period.DAY),  # 54.75% a year
    "owed_now": Decimal(12000),
}
# 18.25% a year: above 4 x LPR (12%), below the 24% licensed reference.
MIDDLE = {**EXPENSIVE, "rate": RateQuote(per_period=Decimal("0.0005"), period=Period.DAY)}
# Words that state the excess is simply unprotected: fine for a known private lender only.
FLAT_CLAIMS = ("不受法律保护", "不予支持", "don't support", "not protected")


def shown(reply_text, locale: str = "zh-CN") -> str:
    return LOCALES.get(locale).render(reply_text)


def check_text(debt: Debt, facts: Facts, locale: str = "zh-CN") -> str:
    return shown(legal_check(debt, assess(debt, facts, TODAY), facts, locale), locale)


# ---- the line -----------------------------------------------------------------------------


@pytest.mark.parametrize("lender", [None, LenderKind.UNKNOWN])
def test_an_unknown_lender_gets_the_private_line_marked_unknown_with_the_licensed_beside(
    facts: Facts, lender
):
    line = line_for(Debt(id=1, lender=lender, **EXPENSIVE), facts, TODAY)
    assert line is not None and line.lender_unknown and not line.is_private
    assert line.kind is LineKind.PRIVATE_LPR
    assert line.licensed is not None and line.licensed.rate == Decimal("0.24")


def test_a_stored_private_or_unknown_lender_is_read_as_unknown():
    # Before private and unknown were told apart, one button meant both: it can't mean private.
    debt = Debt.model_validate({"id": 1, "platform": "x", "lender": "private_or_unknown"})
    assert debt.lender is LenderKind.UNKNOWN


def test_a_credit_card_is_licensed_and_a_person_is_not():
    assert LenderKind.CREDIT_CARD.licensed and LenderKind.MICROLENDER.licensed
    assert not LenderKind.PRIVATE.licensed and not LenderKind.UNKNOWN.licensed


# ---- the debt check -----------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("terms", [EXPENSIVE, MIDDLE])
def test_the_unknown_lender_check_shows_both_lines_conditionally_and_how_to_find_the_lender(
    facts: Facts, locale, terms
):
    text = check_text(Debt(id=1, **terms), facts, locale)
    if locale == "zh-CN":
        assert "如果是个人或无牌机构" in text and "如果是持牌机构" in text
        assert "出借人" in text and "借款协议" in text  # where to find the lender's name
        assert "12%" in text and "24%" in text
        assert "不受法律保护" not in text
        # The only "courts don't support" is inside an "if private" sentence.
        for sentence in text.split("。"):
            if "不予支持" in sentence:
                assert "如果" in sentence, sentence
    else:
        assert "If it is a person or unlicensed" in text and "If it is licensed" in text
        assert "借款协议" in text


def test_the_unknown_lender_between_the_lines_is_told_it_depends_on_the_lender(facts: Facts):
    text = check_text(Debt(id=1, **MIDDLE), facts)
    assert "是否超线要看出借方" in text and "没有超过 24% 参考线" in text


def test_the_36_percent_note_is_conditional_for_an_unknown_lender(facts: Facts):
    text = check_text(Debt(id=1, **EXPENSIVE), facts)
    assert "36%" in text and "如果出借方其实没有放贷资质" in text


@pytest.mark.parametrize(
    "lender",
    [
        LenderKind.MICROLENDER,
        LenderKind.CONSUMER_FINANCE,
        LenderKind.BANK,
        LenderKind.CREDIT_CARD,
    ],
)
def test_a_licensed_lender_gets_no_illegal_lending_note_and_may_ask_for_a_reduction(
    facts: Facts, lender
):
    debt = Debt(id=1, lender=lender, **EXPENSIVE)
    check = assess(debt, facts, TODAY)
    assert check.exceeds and not check.over_criminal_line
    text = check_text(debt, facts)
    assert "非法放贷" not in text and "36%" not in text
    assert "不是自动生效的上限" in text and "可以要求平台调减" in text
    assert not any(claim in text for claim in FLAT_CLAIMS)
    assert "年化综合融资成本" in text  # they must disclose it: the user can ask


def test_a_known_private_lender_keeps_the_firm_line(facts: Facts):
    text = check_text(Debt(id=1, lender=LenderKind.PRIVATE, **EXPENSIVE), facts)
    assert "不予支持" in text and "如果是持牌机构" not in text
    assert "年化综合融资成本" not in text


def test_a_contract_after_the_lpr_tables_last_check_is_said_plainly(facts: Facts):
    assert facts.lpr is not None
    after = {**EXPENSIVE, "contract_date": facts.lpr.checked_through.replace(day=28)}
    text = check_text(Debt(id=1, lender=LenderKind.PRIVATE, **after), facts)
    assert f"LPR 表只核对到 {facts.lpr.checked_through.isoformat()}" in text
    before = check_text(Debt(id=1, lender=LenderKind.PRIVATE, **EXPENSIVE), facts)
    assert "LPR 表只核对到" not in before


# ---- the debt step: asked again ---------------------------------------------------------------


def test_an_unknown_lender_can_be_filled_in_from_the_debt_and_the_list_reminds(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.command("debts")
    chat.press("debts.add")
    chat.say("安心借")
    ask = shown(chat.outcome.replies[0].text)
    assert "出借人" in ask and "借款协议" in ask
    chat.press("debts.lender.unknown")
    chat.press("debts.save_now")
    assert chat.state.debts[0].lender is LenderKind.UNKNOWN
    chat.press("debts.fill_lender")
    assert chat.where == ("debts", "edit_lender")
    chat.press("debts.lender.microlender")
    assert chat.state.debts[0].lender is LenderKind.MICROLENDER
    assert "debts.fill_lender" not in [b.label.key for b in chat.buttons]


def test_the_list_asks_again_for_unknown_lenders(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"debts": (Debt(id=1, **EXPENSIVE),)})
    chat.command("debts")
    text = shown(chat.outcome.replies[0].text)
    assert "有 1 笔还不知道出借方" in text
    assert "仅当出借方是个人或无牌机构时适用" in text


# ---- negotiation scripts ----------------------------------------------------------------------


def _script(ctx: Context, lender: LenderKind | None, kind: str, locale: str = "zh-CN") -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=7, lender=lender, **EXPENSIVE)
    profile = Profile(delay_reason="job_loss")
    update = {"debts": (debt,), "next_debt_id": 8, "profile": profile, "locale": locale}
    chat.state = chat.state.model_copy(update=update)
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    labels = "negotiate.kind_private" if lender is LenderKind.PRIVATE else "negotiate.kind"
    chat.press(f"{labels}.{kind}")
    if kind == "extension":
        chat.say("3")
    if kind != "supervisor":
        chat.say("800")
    assert chat.where == ("negotiate", "script")
    return chat


PLATFORM_KINDS = [k for k in negotiate.KINDS if k not in negotiate.CARD_ONLY]


@pytest.mark.parametrize("kind", PLATFORM_KINDS)
@pytest.mark.parametrize("lender", [None, LenderKind.UNKNOWN])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_script_for_an_unknown_lender_is_conditional(ctx: Context, lender, kind, locale):
    chat = _script(ctx, lender, kind, locale)
    text = shown(chat.outcome.replies[0].text, locale)
    assert not any(claim in text for claim in FLAT_CLAIMS), text
    if locale == "zh-CN":
        assert "出借机构名称和年化综合融资成本" in text
        assert "如果超过了适用的法律线" in text


@pytest.mark.parametrize("kind", PLATFORM_KINDS)
@pytest.mark.parametrize("lender", [LenderKind.MICROLENDER, LenderKind.CONSUMER_FINANCE])
def test_a_licensed_lenders_script_asks_for_a_reduction_not_a_flat_claim(
    ctx: Context, lender, kind
):
    text = shown(_script(ctx, lender, kind).outcome.replies[0].text)
    assert not any(claim in text for claim in FLAT_CLAIMS), text
    assert "可以请求调减" in text and "年化综合融资成本" in text
    assert "非法放贷" not in text


def test_a_known_private_lenders_script_may_say_the_excess_is_unsupported(ctx: Context):
    text = shown(_script(ctx, LenderKind.PRIVATE, "waive").outcome.replies[0].text)
    assert "不予支持" in text


# ---- credit card vs online loans --------------------------------------------------------------


def _kinds_offered(ctx: Context, lender: LenderKind | None) -> list[str]:
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": (Debt(id=7, lender=lender, **EXPENSIVE),), "next_debt_id": 8}
    )
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    return [b.label.key.rsplit(".", 1)[1] for b in chat.buttons if ".kind" in b.label.key]


def test_only_a_credit_card_is_offered_the_personalised_installment_plan(ctx: Context):
    assert "card_plan" in _kinds_offered(ctx, LenderKind.CREDIT_CARD)
    for lender in (
        LenderKind.MICROLENDER,
        LenderKind.CONSUMER_FINANCE,
        LenderKind.BANK,
        LenderKind.PRIVATE,
        LenderKind.UNKNOWN,
        None,
    ):
        assert "card_plan" not in _kinds_offered(ctx, lender), lender


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_card_plan_is_a_request_the_bank_may_refuse_citing_art_70(ctx: Context, locale):
    chat = _script(ctx, LenderKind.CREDIT_CARD, "card_plan", locale)
    text = shown(chat.outcome.replies[0].text, locale)
    assert "{" not in text and "800" in text
    if locale == "zh-CN":
        assert "商业银行信用卡业务监督管理办法" in text and "第七十条" in text
        assert "可以</b>同意、也可以拒绝" in text and "不是持卡人的权利" in text
    else:
        assert "art. 70" in text and "may</b> agree to or refuse" in text


def test_a_forged_card_plan_press_for_an_online_loan_gives_a_platform_script(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": (Debt(id=7, lender=LenderKind.MICROLENDER, **EXPENSIVE),)}
    )
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.send(ButtonPress(f"{chat.state.prompt_seq}|card_plan"))
    assert chat.state.position.draft.get("kind") != "card_plan"


def _strings(table: dict, prefix: str = ""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _strings(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def test_no_reply_offers_interest_freeze_to_every_online_loan():
    for locale in ("zh-CN", "en"):
        path = PROJECT_ROOT / "locales" / f"{locale}.toml"
        for key, value in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            if "停息挂账" in value or "freeze interest" in value:
                assert "信用卡" in value or "credit card" in value, key
