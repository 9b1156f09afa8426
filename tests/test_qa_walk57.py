"""Regressions found walking steps 5-7, collection, reminders and privacy as frightened users
(QA pass 5-7): each test names what was typed, what went wrong, and what it must give now."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.export import as_csv
from bot.locale import Locales
from bot.render import render
from bot.settings import PROJECT_ROOT
from flows.answers import Invalid, Parsed
from flows.core import ButtonPress, Context
from flows.event_days import parse_day
from flows.facts import Facts
from flows.intents import classify
from flows.ledger import Debt, DueSpec, LenderKind
from flows.reminders import Scheduled, amount_text, combined_message
from flows.state import UserState
from tests.driver import Driver, adding_a_debt

LOCALES = Locales.load(PROJECT_ROOT / "locales")


@pytest.mark.parametrize(
    "typed", ["说我再不还就报警抓我", "我会不会坐牢啊", "他们说要叫警察来抓我"]
)
def test_being_told_the_police_will_arrest_you_gets_the_calm_note(ctx: Context, typed: str):
    # Before: "这一步请点下面的按钮选择" (not understood), or taken as the platform's name.
    bot = adding_a_debt(ctx)
    bot.say(typed)
    # nothing entered yet: no "everything you entered is still here"
    assert bot.keys == ["guidance.lawsuit", "interrupts.back_to_start", "debts.ask.platform"]


def test_none_of_your_business_is_not_an_arrest(ctx: Context):
    bot = Driver(ctx)
    bot.command("start")
    bot.say("不关你的事")
    assert "guidance.lawsuit" not in bot.keys


def _negotiating(ctx: Context, kind: str = "installments") -> Driver:
    bot = Driver(ctx)
    bot.command("start")
    debt = Debt(
        id=1, platform="借呗", lender=LenderKind.CONSUMER_FINANCE, owed_now=Decimal("16000")
    )
    bot.state = bot.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    bot.send(ButtonPress("m:negotiate"))
    bot.press("negotiate.write_script")
    bot.press("platforms.debt_button")
    bot.press(f"negotiate.kind.{kind}")
    return bot


def test_twelve_typed_as_the_monthly_amount_is_asked_back(ctx: Context):
    # Before: "12" (meant as 12 installments) gave "我每月可以稳定还 12 元" on a 16,000 debt.
    bot = _negotiating(ctx)
    bot.say("12")
    assert bot.keys == ["negotiate.monthly_small"]
    bot.press("nav.back")
    bot.say("1200")
    assert bot.where == ("negotiate", "script")
    assert bot.outcome.replies[0].text.values["monthly"].values["amount"] == "1,200"


def test_a_small_amount_really_meant_is_kept(ctx: Context):
    bot = _negotiating(ctx)
    bot.say("50")
    bot.press("negotiate.monthly_small_yes")
    assert bot.outcome.replies[0].text.values["monthly"].values["amount"] == "50"


def test_a_small_amount_with_its_unit_is_not_asked_back(ctx: Context):
    bot = _negotiating(ctx)
    bot.say("50元")
    assert bot.where == ("negotiate", "script")


def test_a_day_next_week_is_not_taken_as_last_year(ctx: Context):
    # Before: "12月1日" typed on 24 November was logged as 2025-12-01, eleven months back.
    assert parse_day("12月1日", ctx) == Invalid("days.in_future")
    assert parse_day("2025年12月1日", ctx) == Parsed(date(2025, 12, 1))


def test_late_december_typed_in_january_is_still_last_year(ctx: Context):
    january = replace(ctx, now=ctx.now.replace(year=2027, month=1, day=5))
    assert parse_day("12月30日", january) == Parsed(date(2026, 12, 30))


@pytest.mark.parametrize(
    "typed", ["逾期记录会保留多久", "征信多久能恢复", "不良记录几年能消", "征信什么时候能好"]
)
def test_how_long_a_late_record_stays_is_answered(ctx: Context, typed: str):
    # Before: "逾期记录会保留多久" got "这一步请点下面的按钮选择".
    bot = Driver(ctx)
    bot.command("start")
    bot.say(typed)
    assert bot.keys[0] == "guidance.scam_warning"
    assert bot.outcome.replies[0].text.values["years"] == 5


@pytest.mark.parametrize("typed", ["逾期多久会被起诉", "借呗", "我想多久还清"])
def test_other_how_long_questions_are_not_about_the_record(ctx: Context, typed: str):
    bot = Driver(ctx)
    bot.command("start")
    bot.say(typed)
    assert "guidance.scam_warning" not in bot.keys


def test_a_friends_loan_reminder_does_not_point_to_a_platform_bill():
    # Before: "剩余本金：5,000 元（这一期具体还多少，以平台账单为准）" for a loan from 老王.
    friend = Debt(id=1, platform="老王", lender=LenderKind.PRIVATE)
    remaining = friend.model_copy(update={"remaining_principal": Decimal("5000")})
    owed = friend.model_copy(update={"owed_now": Decimal("5200")})
    assert amount_text(remaining).key == "reminders.amount.remaining_private"
    assert amount_text(owed).key == "reminders.amount.owed_now_private"
    platform = remaining.model_copy(update={"lender": LenderKind.CONSUMER_FINANCE})
    assert amount_text(platform).key == "reminders.amount.remaining"


def test_two_reminders_without_a_plan_say_no_plan_once(ctx: Context):
    # Before: "还没有为这笔做还款计划，可以点「查看计划」" under each debt of the message.
    due = date(2026, 12, 15)
    debts = tuple(
        Debt(id=n, platform=name, due=DueSpec.monthly(15), remaining_principal=Decimal("5000"))
        for n, name in ((1, "借呗"), (2, "老王"))
    )
    state = UserState(started=True, debts=debts, next_debt_id=3)
    fire = datetime(2026, 12, 12, 1, tzinfo=UTC)
    items = [(d, Scheduled(d.id, due, 3, fire)) for d in debts]
    reply = combined_message(state, items, fire, ctx)
    said = "\n".join(render(LOCALES.get("zh-CN"), reply).parts)
    assert said.count("查看计划") == 1
    assert "这几笔都还没有做还款计划" in said


def test_the_reminders_in_the_csv_are_listed_in_the_order_they_will_be_sent():
    # Before: for each due date the day itself came first and "3 days before" last.
    state = UserState(debts=(Debt(id=1, platform="借呗", due=DueSpec.monthly(15)),), next_debt_id=2)
    fire = {0: 1797296400, 1: 1797210000, 3: 1797037200}  # 15th, 14th, 12th Dec 2026, 09:00
    rows = {
        "users": [{"user_id": 1, "chat_id": 1, "state": state.model_dump_json(), "active": 1}],
        "reminders": [
            {"user_id": 1, "debt_id": 1, "due_date": "2026-12-15", "lead": lead, "fire_at": at}
            for lead, at in fire.items()
        ],
    }
    data = as_csv(rows, LOCALES.get("zh-CN")).decode("utf-8").removeprefix("\ufeff")
    times = [row[3] for row in csv.reader(io.StringIO(data)) if row[:1] == ["借呗"]]
    assert times == ["2026-12-12 09:00", "2026-12-14 09:00", "2026-12-15 09:00"]


def test_saying_they_will_come_to_your_door_is_a_warning_sign_not_called_unlawful(
    facts: Facts,
):
    # Before: "他们说要上门" was ticked as threats and told "违法" outright.
    said = classify("他们说要上门", facts.intents)
    assert said.behaviours == ("home_visit",)
    assert facts.collection_rules.get("home_visit").verdict == "warning_sign"
    threatened = classify("催收威胁说要上门弄死我", facts.intents)
    assert {"threats", "home_visit"} <= set(threatened.behaviours)


def test_old_record_buttons_still_tick_the_same_behaviours(facts: Facts):
    # Buttons already sent carry behaviours by index: the new one comes last.
    assert facts.collection_rules.ids[:9] == (
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


def _at_the_hour_question(ctx: Context) -> Driver:
    debt = Debt(id=1, platform="借呗", due=DueSpec.monthly(15))
    bot = Driver(ctx, UserState(started=True, debts=(debt,), next_debt_id=2))
    bot.command("reminders")
    bot.press("reminders.settings.hour_button")
    return bot


@pytest.mark.parametrize(
    ("typed", "hour"), [("晚上8点", 20), ("20", 20), ("20:00", 20), ("下午3点", 15), ("八点", 8)]
)
def test_a_typed_reminder_hour_is_understood(ctx: Context, typed: str, hour: int):
    # Before: "晚上8点" at the hour question got "这一步请点下面的按钮选择".
    bot = _at_the_hour_question(ctx)
    bot.say(typed)
    assert bot.state.reminder_hour == hour
    assert bot.keys[0] == "reminders.settings.hour_set"


@pytest.mark.parametrize("typed", ["晚上11点", "凌晨3点", "9点半", "随便"])
def test_a_typed_hour_outside_the_day_is_refused_kindly(ctx: Context, typed: str):
    bot = _at_the_hour_question(ctx)
    bot.say(typed)
    assert bot.state.reminder_hour == 9
    assert bot.keys[0] == "reminders.settings.hour_out_of_range"


@pytest.mark.parametrize(("typed", "months"), [("三个月", "3"), ("仨月", "3"), ("半年", "6")])
def test_an_extension_typed_in_words_is_understood(ctx: Context, typed: str, months: str):
    # Before: "三个月" and "仨月" got "请输入 1 到 24 之间的月数".
    bot = _negotiating(ctx, "extension")
    bot.say(typed)
    assert bot.keys == ["negotiate.ask_monthly"]
    assert bot.state.position.draft["months"] == months
