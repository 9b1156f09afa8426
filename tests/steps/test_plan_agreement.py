"""Every place a plan's numbers appear says the same: the negotiation offer is that debt's own
planned payment from its start month, the script's amount is the debt list's, and the text,
the chart and the CSV show the same payments and balances; each rule is explained once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation import planned
from flows.conversation.core import ButtonPress
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import Debt, DueSpec, LenderKind
from flows.steps.plan import chart_reply, csv_rows, situation
from tests.domain.test_plan_priorities import CARD, FIVE, LOAN_714, WEILIDAI
from tests.driver import Driver
from tests.steps.test_plan_links import negotiating, script_text

D = Decimal
LOCALES = Locales.load(PROJECT_ROOT / "locales")
BUDGET = Budget(income=D("6000"), rent=D("2000"), food=D("1500"), transport=D("400"))


def state_of(*debts: Debt, **fields: object) -> UserState:
    return UserState(
        started=True, debts=debts, next_debt_id=len(debts) + 1, budget=BUDGET, **fields
    )


# ---- offers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["guide", "avalanche", "snowball"])
def test_every_offer_is_that_debts_own_planned_payment_in_its_start_month(ctx: Context, order):
    state = state_of(*FIVE, plan_order=order)
    plan = planned.current_plan(state, ctx)
    assert plan is not None
    for debt in FIVE:
        offer = planned.monthly_offer(state, debt.id, ctx)
        assert offer is not None
        row = plan.months[offer.start - 1].row(debt.id)
        assert row is not None and offer.amount == row.paid - row.paid_disputed
        others = sum(
            (r.paid for r in plan.months[offer.start - 1].rows if r.debt_id != debt.id), D(0)
        )
        # Never money the plan gives another debt that month.
        assert offer.amount + others <= plan.months[offer.start - 1].available


def test_the_issue_case_offers_each_debt_its_own_amount_from_its_own_month(ctx: Context):
    # Guide order, 2,100 a month: 微粒贷 650 from now; 借呗 1,450 from now (2,100 - 650);
    # 信用卡 after 借呗 is cleared: 1,450 a month from 2027-07 (not the whole 2,100, which it
    # gets only once 微粒贷 is cleared too); the 714 loan only its lawful part.
    state = state_of(*FIVE)
    first = planned.plan_start_of(state, ctx)
    offers = {
        debt.platform: (offer.amount, offer.start_month(first))
        for debt in FIVE
        if (offer := planned.monthly_offer(state, debt.id, ctx)) is not None
    }
    assert offers[WEILIDAI.platform] == (D("650.00"), "2026-11")
    assert offers[CARD.platform] == (D("1450.00"), "2027-07")
    assert offers[LOAN_714.platform] == (D("865.56"), "2028-02")


def test_the_script_offers_the_plans_amount_with_its_start_month(ctx: Context):
    chat = negotiating(ctx, CARD, *[d for d in FIVE if d.id != CARD.id], budget=BUDGET)
    offer = chat.button("negotiate.monthly_from_plan_later")
    assert dict(offer.label.values) == {"amount": "1,450", "month": "2027-07"}
    chat.press("negotiate.monthly_from_plan_later")
    for locale in ("zh-CN", "en"):
        shown = script_text(chat, locale)
        assert "1,450" in shown and "2027-07" in shown and "2,100" not in shown


def test_the_script_states_the_remaining_principal_the_debt_list_shows(ctx: Context):
    # The 714 loan: 3,000 of principal left in the list (the App says 4,500 with charges).
    chat = negotiating(ctx, LOAN_714, *[d for d in FIVE if d.id != 1], budget=BUDGET)
    chat.say("500")
    shown = script_text(chat)
    assert money_text(D("3000")) in shown and "4,500" not in shown


# ---- text, chart and CSV ---------------------------------------------------------------------


def _table_text(chat: Driver) -> str:
    pages = []
    chat.press("plan.show_table")
    while True:
        pages.append(LOCALES.get("zh-CN").render(chat.outcome.replies[0].text))
        if "plan.table.next" not in [b.label.key for b in chat.buttons]:
            return "\n".join(pages)
        chat.press("plan.table.next")


def test_the_chart_and_the_csv_show_the_numbers_of_the_text(ctx: Context):
    state = state_of(*FIVE)
    chat = Driver(ctx, state)
    chat.command("plan")
    table = _table_text(chat)
    view = situation(state, ctx)
    plan = view.plan
    assert plan is not None
    # The text: every month, every open debt's payment and balance, as the table says them.
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    month = None
    for line in table.splitlines():
        if re.fullmatch(r"<b>\d{4}-\d{2}</b>.*", line):
            month = line[3:10]
        elif match := re.match(r"• (.+?)：还 ([\d,.]+) 元.*?(?:剩 ([\d,.]+) 元|✅ 还清)", line):
            assert month is not None
            shown[(month, match[1])] = (match[2], match[3] or "0")
    # The CSV: the same payments and balances, to the fen.
    rows = csv_rows(view)
    start = next(
        i for i, r in enumerate(rows) if r and getattr(r[0], "key", "") == "plan.csv.section_plan"
    )
    csv_plan = {(r[0], r[2]): (r[4], r[5]) for r in rows[start + 2 :]}
    assert len(csv_plan) == len(shown) == sum(len(m.rows) for m in plan.months)
    for key, (paid, balance) in shown.items():
        csv_paid, csv_balance = csv_plan[key]
        assert (money_text(D(csv_paid)), money_text(D(csv_balance))) == (paid, balance), key
    # The chart: each debt's balance after each month is the table's.
    payload = chart_reply(view).attachment.payload
    assert payload["months"] == sorted({m for m, _ in shown})
    for series in payload["series"]:
        for month_key, value in zip(payload["months"], series["values"][1:], strict=True):
            if (month_key, series["name"]) in shown:
                assert money_text(D(value)) == shown[(month_key, series["name"])][1]
            else:
                assert D(value) == 0
    # The totals add up to the fen.
    paid_total = sum((D(p) for p, _ in csv_plan.values()), D(0))
    assert paid_total == plan.total_paid == plan.total_principal + plan.total_interest


# ---- rules explained once --------------------------------------------------------------------


def test_each_rule_is_explained_in_one_sentence_the_first_time_it_applies(ctx: Context):
    second_current = WEILIDAI.model_copy(update={"id": 6, "platform": "second"})
    chat = Driver(ctx, state_of(*FIVE, second_current))
    chat.command("plan")
    detail = chat.outcome.replies[0].text.values["detail"]
    keys = [
        note.key
        for line in detail
        if line.values["notes"]
        for note in line.values["notes"].values["notes"]
    ]
    assert keys.count("plan.rule.current") == 1 and keys.count("plan.tag.current") == 1
    assert keys.index("plan.rule.current") < keys.index("plan.tag.current")
    assert "plan.rule.possibly_above" in keys
    for locale in ("zh-CN", "en"):
        text = LOCALES.get(locale).render(chat.outcome.replies[0].text)
        assert "{" not in text
    zh = LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
    assert "这笔没有逾期，每月先保证它按时还 650 元" in zh
    assert "895.17" in zh and "待协商" in zh


def test_a_payment_at_risk_is_named_with_a_way_to_negotiate_before_the_due_date(ctx: Context):
    # 2,100 a month; four current installment loans asking 650 each: the fourth gets 150.
    current = [WEILIDAI.model_copy(update={"id": i, "platform": f"L{i}"}) for i in (1, 2, 3, 4)]
    chat = Driver(ctx, state_of(*current))
    chat.command("plan")
    zh = LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
    assert "❗" in zh and "「L4」按时还 650 元，计划只能还 150 元" in zh and "之前" in zh
    assert chat.button("plan.go_negotiate").data == "m:negotiate"


# ---- the user's own order --------------------------------------------------------------------


def test_moving_a_debt_up_is_kept_and_the_plan_follows_it(ctx: Context):
    chat = Driver(ctx, state_of(*FIVE))
    chat.command("plan")
    chat.press("plan.reorder")
    for _ in range(2):
        chat.send(ButtonPress(up_button(chat)))
    assert chat.state.plan_order == "custom"
    assert chat.state.plan_custom[0] == ANYHUA_ID
    chat.press("plan.reorder_done")
    plan = planned.current_plan(chat.state, ctx)
    assert plan is not None and plan.debts[0].debt.id == ANYHUA_ID
    first = plan.months[0]
    # Still: 微粒贷 (not overdue) its 650 first; the rest to the debt moved to the top.
    assert first.row(WEILIDAI.id).paid == D("650") and first.row(ANYHUA_ID).paid == D("1450")
    # A forged id moves nothing.
    chat.press("plan.reorder")
    before = chat.state.plan_custom
    chat.send(ButtonPress(up_button(chat).replace(f"up:{ANYHUA_ID}", "up:99")))
    assert chat.state.plan_custom == before


ANYHUA_ID = 5


def up_button(chat: Driver) -> str:
    return next(b.data for b in chat.buttons if b.data.endswith(f"up:{ANYHUA_ID}"))


def test_a_payment_made_smaller_to_leave_no_tail_is_said_in_the_month_table(ctx: Context):
    # 2,100.40 at 2,100 a month: never more than the 2,100, and no 0.40 tail next month:
    # 2,099.40 now, 1 yuan next month, and the 0.60 unused is said.
    debt = Debt(id=1, platform="A", lender=LenderKind.BANK, remaining_principal=D("2100.40"))
    chat = Driver(ctx, state_of(debt.model_copy(update={"days_overdue": 5})))
    chat.command("plan")
    chat.press("plan.show_table")
    zh = LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
    assert "还 2,099.40 元，剩 1 元" in zh and "本月留 0.60 元不用" in zh
    assert "还 1 元，✅ 还清" in zh
    en = LOCALES.get("en").render(chat.outcome.replies[0].text)
    assert "0.60 yuan left unused this month" in en


def test_a_current_debt_without_a_known_monthly_payment_leads_to_filling_it_in(ctx: Context):
    card = Debt(
        id=1,
        platform="card",
        lender=LenderKind.BANK,
        remaining_principal=D("8000"),
        due=DueSpec.monthly(28),
        days_overdue=0,
    )
    chat = Driver(ctx, state_of(card))
    chat.command("plan")
    assert "❗" in LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
    chat.press("plan.go_debts_fill")
    assert chat.where[0] == "debts"
    chat.send(ButtonPress(next(b.data for b in chat.buttons if b.data.endswith("open:1"))))
    chat.press("debts.edit")
    chat.press("debts.edit_field.minimum_payment")
    chat.say("800")
    assert chat.state.debts[0].minimum_payment == D("800")
    chat.command("plan")
    assert "❗" not in LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
