"""Progress, re-forecast and milestones: what the recorded payments add up to and change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.charts import render_attachment
from bot.export import as_csv, as_json
from bot.locale import Locales
from bot.render import localized
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.conversation.planned import current_plan
from flows.conversation.reminders import Scheduled, combined_message, reminder_message, schedule
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, LenderKind, RateQuote
from flows.domain.money import Period
from flows.domain.payment_log import Baseline, Payment, PaymentKind
from flows.domain.reminder_marks import PaidDue
from flows.domain.texts import Text
from tests.driver import Driver

D = Decimal
ZH = Locales.load(PROJECT_ROOT / "locales").get("zh-CN")


def said(driver: Driver) -> list[str]:
    assert driver.outcome is not None
    return [ZH.render(reply.text) for reply in driver.outcome.replies]


def loan(debt_id: int, platform: str, balance: str, **fields: object) -> Debt:
    return Debt(
        id=debt_id,
        platform=platform,
        lender=LenderKind.MICROLENDER,
        remaining_principal=D(balance),
        rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
        **fields,
    )


def chat(ctx: Context, *debts: Debt, **fields: object) -> Driver:
    state = UserState(
        started=True,
        debts=debts,
        next_debt_id=len(debts) + 1,
        budget=Budget(income=D(4000), rent=D(1500), food=D(1500)),  # 1,000 a month for debts
        **fields,
    )
    driver = Driver(ctx, state)
    driver.command("menu")
    return driver


def test_an_extra_payment_says_how_much_earlier_the_debt_ends_and_the_interest_saved(ctx):
    driver = chat(ctx, loan(1, "借呗", "10000"))
    before = current_plan(driver.state, ctx)
    assert before is not None
    driver.say("多还了借呗2000")
    driver.press("payments.ok")
    after = current_plan(driver.state, ctx)
    assert after is not None
    moved = driver.outcome.replies[0].text
    assert moved.key == "payments.moved.debt_earlier"
    assert moved.values["months"] == before.payoff_month - after.payoff_month >= 1
    saved = before.total_interest - after.total_interest
    assert moved.values["interest"] == f"{saved:,.2f}".rstrip("0").rstrip(".")
    assert said(driver)[0].startswith("这笔多还的 2,000 元让借呗提前")


def test_a_scheduled_payment_does_not_claim_to_move_the_plan(ctx):
    driver = chat(ctx, loan(1, "借呗", "10000"))
    driver.say("今天还了借呗1000")
    driver.press("payments.ok")
    assert not any(k.startswith("payments.moved") for k in driver.keys)


def test_a_debt_cleared_and_a_quarter_paid_are_each_celebrated_once(ctx):
    driver = chat(ctx, loan(1, "花呗", "1000"), loan(2, "借呗", "9000"))
    driver.say("还了花呗1000")
    driver.press("payments.ok")
    assert "payments.milestone.cleared" in driver.keys
    assert not any(k.startswith("payments.milestone.quarter") for k in driver.keys)
    driver.say("还了借呗2000")
    driver.press("payments.ok")
    assert "payments.milestone.quarter_1" in driver.keys
    assert "payments.milestone.cleared" not in driver.keys
    driver.say("还了借呗100")
    driver.press("payments.ok")
    assert not any(k.startswith("payments.milestone") for k in driver.keys)
    assert driver.state.milestones == ("cleared:1", "quarter:1")


def test_every_debt_cleared_gets_the_warmest_message_only(ctx):
    driver = chat(ctx, loan(1, "花呗", "1000"))
    driver.say("还了花呗1000")
    driver.press("payments.ok")
    milestones = [k for k in driver.keys if k.startswith("payments.milestone")]
    assert milestones == ["payments.milestone.all"]


def october(debt_id: int, day: int) -> Payment:
    return Payment(
        id=1,
        debt_id=debt_id,
        kind=PaymentKind.INSTALLMENT,
        amount=D(500),
        at=datetime(2026, 10, day, 4, tzinfo=UTC),
    )


def test_a_month_with_every_due_payment_made_is_encouraged_once(ctx):
    debt = loan(1, "借呗", "9000", due=DueSpec.monthly(15))
    started = Baseline(on=date(2026, 10, 1), remaining=D(9500))
    driver = chat(ctx, debt, payments=(october(1, 14),), next_payment_id=2, baseline=started)
    driver.say("还了借呗500")
    driver.press("payments.ok")
    assert "payments.milestone.month" in driver.keys
    driver.say("还了借呗100")
    driver.press("payments.ok")
    assert "payments.milestone.month" not in driver.keys


def test_a_month_with_a_due_payment_missing_is_not_encouraged(ctx):
    debts = (
        loan(1, "借呗", "9000", due=DueSpec.monthly(15)),
        loan(2, "微粒贷", "5000", due=DueSpec.monthly(20)),
    )
    started = Baseline(on=date(2026, 10, 1), remaining=D(14500))
    driver = chat(ctx, *debts, payments=(october(1, 14),), next_payment_id=2, baseline=started)
    driver.say("还了借呗500")
    driver.press("payments.ok")
    assert "payments.milestone.month" not in driver.keys


def reminder_for(state: UserState, ctx: Context, due: date) -> str:
    debt = state.debts[0]
    row = Scheduled(debt.id, due, 0, datetime(2026, 11, 27, 1, tzinfo=UTC))
    return ZH.render(reminder_message(state, debt, row, ctx.now, ctx).text)


def test_a_missed_payment_is_noticed_gently_at_the_next_reminder(ctx):
    debt = loan(1, "借呗", "9000", due=DueSpec.monthly(27))
    tracked = UserState(
        started=True, debts=(debt,), paid_dues=(PaidDue(debt_id=1, due_date=date(2026, 9, 27)),)
    )
    text = reminder_for(tracked, ctx, date(2026, 11, 27))
    assert "上一期（2026年10月27日）还没看到还款记录" in text
    assert "协商" in text
    row = Scheduled(1, date(2026, 11, 27), 0, ctx.now)
    buttons = reminder_message(tracked, debt, row, ctx.now, ctx).buttons
    assert buttons[-1][0].data == "m:negotiate"
    paid = tracked.model_copy(
        update={"paid_dues": (*tracked.paid_dues, PaidDue(debt_id=1, due_date=date(2026, 10, 27)))}
    )
    assert "还没看到还款记录" not in reminder_for(paid, ctx, date(2026, 11, 27))
    # Someone who never recorded a payment of this debt is not told they missed one.
    new = UserState(started=True, debts=(debt,))
    assert "还没看到还款记录" not in reminder_for(new, ctx, date(2026, 11, 27))
    # Several debts due at once: said once in the message, with the platform.
    other = Debt(id=2, platform="微粒贷", due=DueSpec.monthly(27))
    both = tracked.model_copy(update={"debts": (debt, other)})
    rows = [(d, Scheduled(d.id, date(2026, 11, 27), 0, ctx.now)) for d in both.debts]
    combined = ZH.render(combined_message(both, rows, ctx.now, ctx).text)
    assert combined.count("还没看到还款记录") == 1 and "• 借呗" in combined


def test_reminders_stop_for_a_debt_once_it_is_paid_off(ctx):
    debt = loan(1, "花呗", "1000", due=DueSpec.monthly(27))
    driver = chat(ctx, debt, loan(2, "借呗", "5000", due=DueSpec.monthly(27)))
    assert {row.debt_id for row in schedule(driver.state, ctx.now)} == {1, 2}
    driver.say("还了花呗1000")
    driver.press("payments.ok")
    assert {row.debt_id for row in schedule(driver.state, ctx.now)} == {2}


def test_progress_shows_paid_left_months_and_payoff_then_vs_now(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"), loan(2, "花呗", "500"))
    driver.command("progress")
    assert driver.keys == ["progress.empty"]
    driver.say("还了花呗500")
    driver.press("payments.ok")
    driver.say("多还了借呗1000")
    driver.press("payments.ok")
    driver.command("progress")
    (view,) = said(driver)
    assert "已经还了：<b>1,500 元</b>" in view
    assert "• 借呗：已还 1,000 元，还剩本金 5,000 元" in view
    assert "• 花呗：已还 500 元，✅ 已还清" in view
    assert "还剩：<b>5,000 元</b>" in view
    plan = current_plan(driver.state, ctx)
    assert plan is not None
    assert f"还要 {plan.payoff_month} 个月" in view
    assert "提前了" in view  # the payoff then (at the first payment) vs now
    assert "已还清 1 笔" in view
    driver.command("plan")
    assert any("已经记下还款 1,500 元" in text for text in said(driver))


def test_the_progress_chart_draws_actual_then_planned(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"))
    driver.say("还了借呗1000")
    driver.press("payments.ok")
    driver.command("progress")
    driver.press("progress.chart")
    attachment = driver.outcome.replies[0].attachment
    assert attachment is not None and attachment.kind == "plan_chart"
    actual, planned = attachment.payload["series"]
    assert D(actual["values"][0]) == D(5000)  # now: after the payment
    assert D(planned["values"][0]) == 0 and D(planned["values"][1]) < D(5000)
    assert len(attachment.payload["months"]) + 1 == len(actual["values"])
    png = render_attachment(localized(ZH, attachment).payload)
    assert png.startswith(b"\x89PNG")


def test_a_settlement_counts_what_negotiation_saved(ctx):
    debt = loan(1, "分期乐", "4000", owed_now=D(5000))
    driver = chat(ctx, debt)
    driver.say("和分期乐协商结清了，还了3000")
    driver.press("payments.ok")
    driver.command("progress")
    assert "协商省下：2,000 元" in said(driver)[0]


def test_the_payment_log_is_in_the_csv_export(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"))
    driver.say("还了借呗1000")
    driver.press("payments.ok")
    rows = {"users": [{"user_id": 1, "state": driver.state.model_dump_json()}]}
    exported = as_csv(rows, ZH).decode("utf-8-sig")
    assert "【还款记录】" in exported
    assert "2026-11-24 10:00,借呗,按期还款,1000.00" in exported


def test_texts_in_the_chart_payload_are_locale_texts(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"))
    driver.say("还了借呗1000")
    driver.press("payments.ok")
    driver.command("progress")
    driver.press("progress.chart")
    attachment = driver.outcome.replies[0].attachment
    assert attachment is not None
    assert isinstance(attachment.payload["title"], Text)


def test_a_fully_paid_month_is_also_noticed_when_opening_progress(ctx):
    debt = loan(1, "借呗", "9000", due=DueSpec.monthly(15))
    started = Baseline(on=date(2026, 10, 1), remaining=D(9500))
    driver = chat(ctx, debt, payments=(october(1, 14),), next_payment_id=2, baseline=started)
    driver.command("progress")
    assert driver.keys == ["payments.milestone.month", "progress.view"]
    driver.command("progress")
    assert driver.keys == ["progress.view"]


def test_the_payment_log_is_in_the_json_export(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"))
    driver.say("还了借呗1000")
    driver.press("payments.ok")
    rows = {"users": [{"user_id": 1, "state": driver.state.model_dump_json()}]}
    exported = json.loads(as_json(rows))
    (payment,) = exported["users"][0]["state"]["payments"]
    assert (payment["amount"], payment["kind"]) == ("1000.00", "installment")


def test_the_months_installment_paid_as_planned_does_not_claim_an_earlier_payoff(ctx):
    debt = loan(1, "借呗", "10000", due=DueSpec.monthly(27), days_overdue=0)
    driver = chat(ctx, debt)
    before = current_plan(driver.state, ctx)
    driver.say("今天还了借呗1000")
    driver.press("payments.ok")
    # The 27 November payment is marked paid: no reminder for it, and the plan starts in
    # December instead of paying November a second time.
    assert [(p.debt_id, p.due_date) for p in driver.state.paid_dues] == [(1, date(2026, 11, 27))]
    after = current_plan(driver.state, ctx)
    assert before is not None and after is not None
    assert after.payoff_month == before.payoff_month - 1  # one month counted from December
    driver.command("progress")
    assert "和刚开始记录时一样" in said(driver)[0]


def test_an_installment_paid_from_the_reminder_keeps_the_payoff_where_it_was(ctx):
    debt = loan(1, "借呗", "10000", due=DueSpec.monthly(27), days_overdue=0)
    driver = chat(ctx, debt)
    driver.send(ButtonPress("g:rpaid:1:2026-11-27"))
    driver.say("1000")
    driver.press("payments.ok")
    driver.command("progress")
    assert "和刚开始记录时一样" in said(driver)[0]


def test_delete_takes_the_payment_log_with_everything_else(ctx):
    driver = chat(ctx, loan(1, "借呗", "6000"))
    driver.say("还了借呗1000")
    driver.press("payments.ok")
    driver.command("delete")
    driver.press("privacy.delete_yes")
    assert driver.outcome.effect == "erase_user"
    assert driver.state.payments == () and driver.state.milestones == ()
