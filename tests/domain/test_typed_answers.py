"""What people actually type, table-driven: at a given question, a text is either stored as a
value of the field's type, or answered with a follow-up question (never silently misread).

Each row goes through the shell's typed-label matching and the machine, as a real turn does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.conversation import AmbiguousLabel, typed_button
from bot.facts import load_facts
from bot.locale import Locales
from bot.settings import PROJECT_ROOT, Settings
from flows.conversation.core import ButtonPress, Command, Outcome, TextInput
from flows.conversation.form import CURSOR, PENDING
from flows.conversation.state import Position, UserState
from flows.dispatcher import machine
from flows.domain.context import Context
from flows.domain.parsing.sentences import amount_in_sentence, count_in_sentence

LOCALES = Locales.load(PROJECT_ROOT / "locales")
CTX = Context(
    now=datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    facts=load_facts(PROJECT_ROOT / "data"),
    settings=Settings(_env_file=None),
)
DEBT = {"platform": "借呗", "lender": "unknown", "contract_date": "2025-11-01"}
LOAN = {**DEBT, "borrowed": "20000.00"}
BUDGET = {"income_kind": "fixed", "income": "8000.00"}

# Where a question is: the step, the node and the answers before it.
AT: dict[str, tuple[str, str, dict[str, Any]]] = {
    "lender": ("debts", "add", {"platform": "借呗"}),
    "contract_date": ("debts", "add", {"platform": "借呗", "lender": "unknown"}),
    "borrowed": ("debts", "add", DEBT),
    "received": ("debts", "add", LOAN),
    "remaining_principal": ("debts", "add", {**LOAN, "received": "same"}),
    "rate": ("debts", "add", {**LOAN, "received": "same", "remaining_principal": "same"}),
    "payment": ("debts", "add", {**LOAN, "rate": None}),
    "periods": ("debts", "add", {**LOAN, "payment": "1000.00"}),
    "penalty": ("debts", "add", {**LOAN, "payment": None}),
    "due": ("debts", "add", {**LOAN, "penalty": None}),
    "days_overdue": ("debts", "add", {**LOAN, "due": None}),
    "owed_now": ("debts", "add", {**LOAN, "days_overdue": 3}),
    "income_kind": ("budget", "form", {}),
    "income": ("budget", "form", {"income_kind": "fixed"}),
    "rent": ("budget", "form", BUDGET),
    "utilities": ("budget", "form", {**BUDGET, "rent": "1500.00"}),
    "food": ("budget", "form", {**BUDGET, "rent": "1500.00", "utilities": "200.00"}),
    "transport": ("budget", "form", {**BUDGET, "food": "1000.00"}),
    "family": ("budget", "form", {**BUDGET, "transport": "100.00"}),
    "other": ("budget", "form", {**BUDGET, "family": "0.00"}),
    "monthly": ("negotiate", "form", {"platform": "借呗", "owed_known": True, "kind": "waive"}),
}


def state_at(field: str) -> UserState:
    step, node, draft = AT[field]
    position = Position(step=step, node=node, draft={**draft, CURSOR: field})
    return UserState(started=True, position=position)


def turn(state: UserState, typed: str) -> Outcome | str:
    """One typed message as the shell handles it; "hint" when several buttons fit."""
    catalog = LOCALES.get(state.locale)
    event = typed_button(state, TextInput(typed), catalog, CTX)
    if isinstance(event, AmbiguousLabel):
        return "hint"
    return machine.handle(state, event, CTX)


def stored(outcome: Outcome, field: str) -> Any:
    draft = outcome.state.position.draft
    assert PENDING not in draft or draft[PENDING].get("field") == draft.get(CURSOR)
    if field not in draft and outcome.state.debts:  # the last question: the debt is saved
        return getattr(outcome.state.debts[-1], field)
    return draft.get(field, "<missing>")


# (field, text, expected): a value means "stored as this" (money as Decimal, "same" for the
# same-as-borrowed button, None for skipped); ("ask", key) a question back with that key;
# ("ask", key, value) and the first button stores that value; ("no", key) refused with that
# reason; "hint" a short hint and the buttons again.
D = Decimal
ROWS: list[tuple[str, str, Any]] = [
    # ---- amounts as said ----
    ("borrowed", "20000", D(20000)),
    ("borrowed", "2万", D(20000)),
    ("borrowed", "两万", D(20000)),
    ("borrowed", "2w", D(20000)),
    ("borrowed", "20k", D(20000)),
    ("borrowed", "20,000", D(20000)),
    ("borrowed", "¥20000", D(20000)),
    ("borrowed", "20000元", D(20000)),
    ("borrowed", "两万块", D(20000)),
    ("borrowed", "一万五", D(15000)),
    ("borrowed", "1.5万", D(15000)),
    ("borrowed", "两千五", D(2500)),
    ("borrowed", "借了两万", D(20000)),
    ("borrowed", "借了两万左右", D(20000)),
    ("borrowed", "大概两万", D(20000)),
    ("borrowed", "差不多2万", D(20000)),
    ("borrowed", "2万左右", D(20000)),
    ("borrowed", "两万多", D(20000)),
    ("borrowed", "将近两万", D(20000)),
    ("borrowed", "快两万了", D(20000)),
    ("borrowed", "一共借了5000块钱", D(5000)),
    ("borrowed", "合同上写的是8000", D(8000)),
    ("borrowed", "我借的是一万", D(10000)),
    ("borrowed", "abc", ("no", "parsing.amount.not_number")),
    ("borrowed", "0", ("no", "parsing.amount.zero")),
    ("borrowed", "-5000", ("no", "parsing.amount.negative")),
    ("borrowed", "1000000000000", ("no", "parsing.amount.too_big")),
    ("borrowed", "5000到8000", ("no", "parsing.amount.range")),
    ("borrowed", "12期", ("no", "parsing.amount.not_number")),
    ("borrowed", "借了两笔一笔5000一笔3000", ("no", "parsing.amount.not_number")),
    ("borrowed", "😭", ("no", "parsing.amount.not_number")),
    ("borrowed", "到手18000", ("ask", "debts.other_amount.received", "received")),
    ("borrowed", "每期还1000", ("ask", "debts.other_amount.payment", "payment")),
    ("remaining_principal", "一共要还21000", ("ask", "debts.other_amount.owed_now", "owed_now")),
    (
        "received",
        "还剩8000",
        ("ask", "debts.other_amount.remaining_principal", "remaining_principal"),
    ),
    ("owed_now", "本金还剩8000", ("ask", "debts.other_amount.remaining_principal")),
    # ---- received: the same as borrowed, or an amount in a sentence ----
    ("received", "一样", "same"),
    ("received", "一样的", "same"),
    ("received", "一样多", "same"),
    ("received", "相同", "same"),
    ("received", "同上", "same"),
    ("received", "没扣", "same"),
    ("received", "全部到手", "same"),
    ("received", "和合同金额一样", "same"),  # the button's label
    ("received", "到手也是20000", D(20000)),
    ("received", "到手15000", D(15000)),
    ("received", "实际到手一万八", D(18000)),
    ("received", "到账18000", D(18000)),
    ("received", "只有18000", D(18000)),
    ("received", "30000", ("no", "debts.received_above_borrowed")),
    ("received", "到手25000", ("no", "debts.received_above_borrowed")),
    # ---- remaining principal ----
    ("remaining_principal", "还剩8000没还", D(8000)),
    ("remaining_principal", "还剩8000", D(8000)),
    ("remaining_principal", "剩下一万二", D(12000)),
    ("remaining_principal", "还欠15000", D(15000)),
    ("remaining_principal", "一样", "same"),
    ("remaining_principal", "一分没还", "same"),
    ("remaining_principal", "都没还", "same"),
    ("remaining_principal", "还没还", "same"),
    ("remaining_principal", "0", D(0)),
    ("remaining_principal", "没有", D(0)),
    ("remaining_principal", "还了2000", ("no", "parsing.amount.not_number")),
    ("remaining_principal", "50000", ("no", "debts.remaining_above_borrowed")),
    # ---- rate ----
    ("rate", "没利息", {"per_period": "0", "period": "year"}),
    ("rate", "没有利息", {"per_period": "0", "period": "year"}),
    ("rate", "不要利息", {"per_period": "0", "period": "year"}),
    ("rate", "无息", {"per_period": "0", "period": "year"}),
    ("rate", "免息", {"per_period": "0", "period": "year"}),
    ("rate", "零利息", {"per_period": "0", "period": "year"}),
    ("rate", "无利息的", {"per_period": "0", "period": "year"}),
    ("rate", "日息万五", {"per_period": "0.0005", "period": "day"}),
    ("rate", "月息2分", {"per_period": "0.02", "period": "month"}),
    ("rate", "年化24%", {"per_period": "0.24", "period": "year"}),
    ("rate", "24%", ("ask", "parsing.rate.which_period")),
    ("rate", "年化20000%", ("no", "parsing.rate.too_high")),
    ("rate", "日息5%", ("no", "parsing.rate.too_high")),
    ("rate", "月费率0.6%", ("no", "parsing.rate.fee_rate")),
    # ---- installments ----
    ("payment", "不是分期", None),
    ("payment", "没分期", None),
    ("payment", "不分期", None),
    ("payment", "一次性还", None),
    ("payment", "一次还清", None),
    ("payment", "1000", D(1000)),
    ("payment", "每期1000", D(1000)),
    ("payment", "每个月还1000", D(1000)),
    ("payment", "一千二", D(1200)),
    ("periods", "12", 12),
    ("periods", "12期", 12),
    ("periods", "十二期", 12),
    ("periods", "分12期", 12),
    ("periods", "两年", 24),
    ("periods", "360期", 360),
    ("periods", "400期", ("ask", "debts.doubt.periods", 400)),
    ("periods", "600", ("ask", "debts.doubt.periods", 600)),
    ("periods", "700期", ("no", "parsing.periods.range")),
    ("periods", "24期", 24),  # 24 x 1,000 on 20,000: about 18% a year
    ("periods", "0", ("no", "parsing.periods.range")),
    # ---- penalty, due day ----
    ("penalty", "罚息日万五", {"daily_rate": "0.0005", "fixed_fee": None}),
    ("penalty", "罚息每天万分之五", {"daily_rate": "0.0005", "fixed_fee": None}),
    ("penalty", "没有罚息", "none"),  # the button's label
    ("due", "15号", {"day_of_month": 15, "on_date": None}),
    ("due", "每月15号", {"day_of_month": 15, "on_date": None}),
    ("due", "月底", "end"),  # the button's label
    ("due", "35号", ("no", "parsing.due.day_range")),
    ("due", "0号", ("no", "parsing.due.day_range")),
    # ---- days overdue (the loan was made on 2025-11-01, 388 days before 2026-11-24) ----
    ("days_overdue", "30天", 30),
    ("days_overdue", "三十天", 30),
    ("days_overdue", "两周", 14),
    ("days_overdue", "没逾期", "0"),  # the button's label
    ("days_overdue", "还没逾期", 0),
    ("days_overdue", "逾期", ("no", "parsing.days.not_understood")),  # not the 没逾期 button
    ("days_overdue", "0", 0),
    ("days_overdue", "逾期了45天", 45),
    ("days_overdue", "一个半月", ("ask", "parsing.days.about", 45)),
    ("days_overdue", "一个多月", ("ask", "parsing.days.about_more", 30)),
    ("days_overdue", "三个月", ("ask", "parsing.days.about", 90)),
    ("days_overdue", "半个月", ("ask", "parsing.days.about", 15)),
    ("days_overdue", "二十多天", ("ask", "parsing.days.about_more", 20)),
    ("days_overdue", "快十天了", ("ask", "parsing.days.about", 10)),
    ("days_overdue", "昨天开始", ("no", "parsing.days.not_understood")),
    ("days_overdue", "10000天", ("ask", "debts.doubt.overdue_before_contract", 388)),
    ("days_overdue", "400天", ("ask", "debts.doubt.overdue_before_contract", 388)),
    ("days_overdue", "388天", 388),
    ("days_overdue", "-3", ("no", "parsing.days.negative")),
    ("owed_now", "现在要还21000", D(21000)),
    ("owed_now", "一共要还两万一", D(21000)),
    # ---- contract dates as remembered ----
    ("contract_date", "2025-03-05", "2025-03-05"),
    ("contract_date", "2025年3月5日", "2025-03-05"),
    ("contract_date", "昨天", "2026-11-23"),
    ("contract_date", "前天", "2026-11-22"),
    ("contract_date", "上个月15号", "2026-10-15"),
    ("contract_date", "2025年3月", ("ask", "parsing.date.which_day", "2025-03-01")),
    ("contract_date", "上周五", ("ask", "parsing.date.approx", "2026-11-20")),
    ("contract_date", "上星期一", ("ask", "parsing.date.approx", "2026-11-16")),
    ("contract_date", "上个礼拜三", ("ask", "parsing.date.approx", "2026-11-18")),
    ("contract_date", "这周一", ("ask", "parsing.date.approx", "2026-11-23")),
    ("contract_date", "周日", ("ask", "parsing.date.approx", "2026-11-22")),
    ("contract_date", "去年过年的时候", ("ask", "parsing.date.approx", "2025-01-29")),
    ("contract_date", "去年春节", ("ask", "parsing.date.approx", "2025-01-29")),
    ("contract_date", "今年过年", ("ask", "parsing.date.approx", "2026-02-17")),
    ("contract_date", "前年年底", ("ask", "parsing.date.approx", "2024-12-31")),
    ("contract_date", "去年年初", ("ask", "parsing.date.approx", "2025-01-01")),
    ("contract_date", "去年这时候", ("ask", "parsing.date.approx", "2025-11-24")),
    ("contract_date", "三个月前", ("ask", "parsing.date.approx", "2026-08-26")),
    ("contract_date", "半年前", ("ask", "parsing.date.approx", "2026-05-26")),
    ("contract_date", "两周前", ("ask", "parsing.date.approx", "2026-11-10")),
    ("contract_date", "10天前", ("ask", "parsing.date.approx", "2026-11-14")),
    ("contract_date", "上个月", ("ask", "parsing.date.approx", "2026-10-01")),
    ("contract_date", "2027-01-01", ("no", "parsing.date.future")),
    ("contract_date", "很久以前", ("no", "parsing.date.not_understood")),
    # ---- budget: income in words ----
    ("income_kind", "月薪6000", "fixed"),
    ("income_kind", "工资每月5000", "fixed"),
    ("income_kind", "基本固定", "fixed"),  # the button's label
    ("income_kind", "是的", "fixed"),
    ("income_kind", "不固定", "irregular"),  # part of the button's label
    ("income_kind", "打零工", "irregular"),
    ("income_kind", "跑外卖，时多时少", "irregular"),
    ("income_kind", "失业了", "irregular"),
    ("income_kind", "固定", "fixed"),  # 不固定 says the opposite: only 基本固定 fits
    ("lender", "公司", "hint"),  # part of two buttons' labels
    ("lender", "银行", "bank"),
    ("lender", "网络小贷", "microlender"),
    ("lender", "消费金融", "consumer_finance"),
    ("lender", "不清楚", "unknown"),
    ("income_kind", "6000", ("ask", "budget.ask.kind_of_amount", "fixed")),
    ("income_kind", "qwerty", ("no", "form.use_buttons")),
    ("income", "8000", D(8000)),
    ("income", "月薪8000", D(8000)),
    ("income", "到手8000左右", D(8000)),
    ("income", "八千多", D(8000)),
    ("income", "0", D(0)),
    ("income", "2000-3000", ("ask", "budget.ask.income_range", D(2000))),
    ("income", "三千到五千", ("ask", "budget.ask.income_range", D(3000))),
    ("income", "每天200", ("ask", "budget.per_period.day", D(6000))),
    ("income", "一天150块", ("ask", "budget.per_period.day", D(4500))),
    ("income", "一天打工150块", ("ask", "budget.per_period.day", D(4500))),
    ("income", "打车每天赚300", ("ask", "budget.per_period.day", D(9000))),
    ("income", "年薪12万", ("ask", "budget.per_period.year", D(10000))),
    ("income", "每周1000", ("ask", "budget.per_period.week", D(4333))),
    # ---- budget: spending, and a sentence about another category ----
    ("rent", "1500", D(1500)),
    ("rent", "房租1500", D(1500)),
    ("rent", "房租一个月1500左右", D(1500)),
    ("rent", "没有", D(0)),
    ("rent", "住家里不用交", ("no", "parsing.amount.not_number")),
    ("rent", "一千五到两千", ("ask", "budget.ask.spending_range", D(2000))),
    ("food", "800-1000", ("ask", "budget.ask.spending_range", D(1000))),
    ("food", "800到一万二到三", ("no", "parsing.amount.range")),
    ("rent", "吃饭一个月1000", ("ask", "budget.other_category.food", "food")),
    ("utilities", "水电200", D(200)),
    ("utilities", "话费50", D(50)),
    ("utilities", "吃饭一个月1000左右", ("ask", "budget.other_category.food", "food")),
    ("utilities", "伙食1000", ("ask", "budget.other_category.food", "food")),
    ("utilities", "房租1500", ("ask", "budget.other_category.rent", "rent")),
    ("utilities", "加油500", ("ask", "budget.other_category.transport", "transport")),
    ("food", "每天100元", ("ask", "budget.per_period.day", D(3000))),
    ("food", "一天五十", ("ask", "budget.per_period.day", D(1500))),
    ("food", "吃饭一个月1000左右", D(1000)),
    ("food", "两千多", D(2000)),
    ("food", "每天100", ("ask", "budget.per_period.day", D(3000))),
    ("transport", "地铁一个月200", D(200)),
    ("transport", "打车每周100", ("ask", "budget.per_period.week", D(433))),
    ("family", "给父母1000", D(1000)),
    ("family", "孩子学费每年12000", ("ask", "budget.per_period.year", D(1000))),
    ("other", "看病吃药300", D(300)),
    ("other", "保险一年3600", ("ask", "budget.per_period.year", D(300))),
    ("other", "给父母500", ("ask", "budget.other_category.family", "family")),
    # ---- negotiation: what can be paid each month ----
    ("monthly", "0", D(0)),
    ("monthly", "800", D(800)),
    ("monthly", "每月800", D(800)),
    ("monthly", "12", ("ask", "negotiate.monthly_small", D(12))),
]


def test_the_table_has_at_least_150_answers():
    assert len(ROWS) >= 150


@pytest.mark.parametrize(("field", "typed", "expected"), ROWS)
def test_a_typed_answer_is_stored_or_asked_back(field: str, typed: str, expected: Any):
    state = state_at(field)
    outcome = turn(state, typed)
    if expected == "hint":
        assert outcome == "hint"
        return
    assert isinstance(outcome, Outcome)
    keys = [reply.text.key for reply in outcome.replies]
    draft = outcome.state.position.draft
    if isinstance(expected, tuple) and expected[0] == "no":
        assert keys[0] == expected[1], keys
        assert draft.get(field) == state.position.draft.get(field)
        return
    if isinstance(expected, tuple) and expected[0] == "ask":
        assert keys == [expected[1]], keys
        assert draft[PENDING]["field"] == field
        if len(expected) > 2:
            pressed = machine.handle(outcome.state, _first_option(outcome), CTX)
            _check_first_option(pressed, field, expected[2])
        return
    value = stored(outcome, field)
    _same(value, expected)
    assert outcome.state.position.draft.get(CURSOR) != field or PENDING in draft


def _first_option(outcome: Outcome) -> Any:
    from flows.conversation.core import ButtonPress

    first = outcome.replies[-1].buttons[0][0]
    return ButtonPress(first.data)


def _check_first_option(pressed: Outcome, field: str, expected: Any) -> None:
    draft = pressed.state.position.draft
    others = ("received", "remaining_principal", "payment", "owed_now")
    if expected in ("food", "rent", "transport", "family", *others):
        # filed under another question of the form
        assert draft[CURSOR] == field  # the question asked stays open
        assert Decimal(draft[expected]) > 0
        assert field not in draft or draft[field] is None
        return
    _same(draft[field], expected)


def _same(value: Any, expected: Any) -> None:
    if isinstance(expected, Decimal):
        assert Decimal(str(value)) == expected, value
    elif isinstance(expected, dict):
        assert value.keys() == expected.keys()
        for key, wanted in expected.items():
            got = value[key]
            if wanted is None or isinstance(wanted, int):
                assert got == wanted, (key, got)
            else:
                assert got == wanted or Decimal(str(got)) == Decimal(wanted), (key, got)
    else:
        assert value == expected


def test_monthly_salary_at_the_income_kind_question_answers_the_income_too():
    outcome = turn(state_at("income_kind"), "月薪6000")
    assert isinstance(outcome, Outcome)
    draft = outcome.state.position.draft
    assert draft["income_kind"] == "fixed"
    assert Decimal(draft["income"]) == 6000
    assert draft[CURSOR] == "rent"  # the income question is not asked again


def test_food_said_at_the_utilities_question_is_filed_as_food_and_not_asked_again():
    asked = turn(state_at("utilities"), "吃饭一个月1000左右")
    assert isinstance(asked, Outcome)
    labels = [b.label for row in asked.replies[-1].buttons for b in row]
    assert labels[0].key == "budget.record_as.food"
    assert labels[0].values == {"amount": "1,000"}
    filed = machine.handle(asked.state, _first_option(asked), CTX)
    draft = filed.state.position.draft
    assert draft[CURSOR] == "utilities" and Decimal(draft["food"]) == 1000
    assert [r.text.key for r in filed.replies] == ["form.noted", "budget.ask.utilities"]
    after = turn(filed.state, "200")
    assert isinstance(after, Outcome)
    assert after.state.position.draft[CURSOR] == "transport"  # food is not asked twice


def test_the_contacted_button_is_pressed_by_part_of_its_label():
    state = UserState(started=True, position=Position(step="contact", node="why"))
    outcome = turn(state, "联系过了")
    assert isinstance(outcome, Outcome)
    assert outcome.state.position.step == "debts"


def test_an_english_user_gets_the_hint_in_english():
    state = state_at("income_kind").model_copy(update={"locale": "en"})
    state = state.model_copy(update={"locale": "en"})
    catalog = LOCALES.get("en")
    # "about" is part of no English label: no hint, the form says to use the buttons.
    assert not isinstance(typed_button(state, TextInput("qwerty"), catalog, CTX), AmbiguousLabel)
    outcome = machine.handle(state, TextInput("qwerty"), CTX)
    assert "buttons" in catalog.render(outcome.replies[0].text)


@pytest.mark.parametrize(
    ("typed", "count", "per", "rough"),
    [
        ("一天打二十多个", 20, "day", True),
        ("每天30个电话", 30, "day", False),
        ("一周五六次", None, None, None),
        ("一天打十几个", 10, "day", True),
    ],
)
def test_a_count_said_in_a_sentence(typed: str, count: int | None, per: str | None, rough):
    said = count_in_sentence(typed)
    if count is None:
        assert said is None or said.value != int(said.value) or said.per == "week"
        return
    assert said is not None
    assert (said.value, said.per, said.rough) == (count, per, rough)


@pytest.mark.parametrize(
    "typed", ["一天打二十多个", "每天打十几个电话", "一天打三十个", "一天打几十个"]
)
def test_many_calls_said_in_words_get_the_collection_answer_at_any_question(typed: str):
    outcome = turn(state_at("rent"), typed)
    assert isinstance(outcome, Outcome)
    keys = [reply.text.key for reply in outcome.replies]
    assert "guidance.behaviour" in keys, keys
    assert keys[-1] == "budget.ask.rent"  # and the question is asked again, nothing stored
    assert "rent" not in outcome.state.position.draft


def test_a_paid_amount_is_never_read_as_what_is_left():
    assert amount_in_sentence("还了2000") is None
    assert amount_in_sentence("已经还了一半") is None


@pytest.mark.parametrize(
    ("payment", "periods", "asked"),
    [
        ("1000", "24", False),
        ("10000", "12", False),  # 50% a month: 600% a year, usurious but real
        ("200000", "12", True),  # a 0 too many: 1,000% a month
        ("1000000", "3", True),
        ("2000", "12", False),
    ],
)
def test_payments_that_make_the_real_rate_over_10000_percent_are_asked_back(
    payment: str, periods: str, asked: bool
):
    state = state_at("periods")
    draft = {**state.position.draft, "payment": payment}
    state = state.with_draft(draft)
    outcome = turn(state, periods)
    assert isinstance(outcome, Outcome)
    keys = [reply.text.key for reply in outcome.replies]
    assert (keys == ["debts.doubt.apr"]) is asked, keys


def test_a_real_rate_far_beyond_any_loan_is_computed_without_failing():
    from flows.domain.apr import installment_apr

    result = installment_apr(D(20000), D(1000000), 3)
    assert result is not None and result.nominal_annual > 100


def test_an_amount_named_for_another_question_is_filed_there_and_not_asked_again():
    asked = turn(state_at("borrowed"), "到手18000")
    assert isinstance(asked, Outcome)
    filed = machine.handle(asked.state, _first_option(asked), CTX)
    assert filed.state.position.draft["received"] == "18000.00"
    after = turn(filed.state, "2万")
    assert isinstance(after, Outcome)
    draft = after.state.position.draft
    assert draft["borrowed"] == "20000.00" and draft[CURSOR] == "remaining_principal"


def test_editing_days_overdue_is_checked_against_the_contract_date_too():
    from flows.domain.ledger import Debt

    debt = Debt(id=1, platform="借呗", borrowed=D(20000), contract_date=date(2025, 11, 1))
    state = UserState(started=True, debts=(debt,), next_debt_id=2)
    state = machine.handle(state, Command("debts"), CTX).state
    d = machine.handle(state, ButtonPress(f"{state.prompt_seq}|open:1"), CTX)
    d = machine.handle(d.state, ButtonPress(f"{d.state.prompt_seq}|edit"), CTX)
    d = machine.handle(d.state, ButtonPress(f"{d.state.prompt_seq}|f:days_overdue"), CTX)
    asked = machine.handle(d.state, TextInput("10000天"), CTX)
    assert [r.text.key for r in asked.replies] == ["debts.doubt.overdue_before_contract"]
    received = machine.handle(d.state, ButtonPress(f"{d.state.prompt_seq}|back"), CTX)
    assert received.state.debts == (debt,)
