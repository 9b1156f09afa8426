"""Second QA pass: the complaint letter, scripts for a private lender, dates and durations in
everyday words, chart legend tags, the readable CSV export and the plan's first month. Each test
names the input and the wrong output it guards against."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from bot.export import as_csv
from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.answers import Ask, Invalid, Parsed
from flows.budget import Budget
from flows.contact_log import LogEntry
from flows.core import ButtonPress, Context
from flows.event_days import parse_day
from flows.ledger import Debt, DueSpec, LenderKind, RateQuote
from flows.money import Period
from flows.parsing import parse_days_overdue, parse_due, parse_past_date
from flows.planned import payment_on, plan_start
from flows.state import UserState
from flows.steps.plan import legend_tag
from tests.driver import Driver, adding_a_debt

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


# ---- 2. negotiating with a private lender ---------------------------------------------------


def _script_for(ctx: Context, lender: LenderKind, kind: str, locale: str) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="朋友借款", lender=lender, borrowed=Decimal(20000))
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "locale": locale}
    )
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    prefix = "negotiate.kind_private" if lender is LenderKind.PRIVATE else "negotiate.kind"
    chat.press(f"{prefix}.{kind}")
    if kind == "extension":
        chat.say("3")
    if kind != "supervisor":
        chat.say("800")
    return chat


@pytest.mark.parametrize("kind", ["extension", "installments", "waive", "supervisor"])
def test_a_friends_loan_gets_a_script_without_platform_or_customer_service(ctx: Context, kind: str):
    # Before: "您好，我是朋友借款的借款用户…请问平台有哪些延期方案？…用短信或站内信发给我",
    # and the tips said to pay only through the platform's official channels.
    chat = _script_for(ctx, LenderKind.PRIVATE, kind, "zh-CN")
    replies = rendered(chat)
    script = replies[f"negotiate.script_private.{kind}"]
    body = script.split("<code>")[1]
    for platform_word in ("平台", "客服", "借款用户", "站内信", "主管", "工单"):
        assert platform_word not in body, platform_word
    assert "20,000" in body or "20000" in body
    tips = replies["negotiate.tips_private"]
    assert "客服工号" not in tips and "转主管" not in tips


def test_a_friends_loan_is_asked_what_to_ask_them_not_the_platform(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="朋友借款", lender=LenderKind.PRIVATE)
    chat.state = chat.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.say("20000")
    question = rendered(chat)["negotiate.ask_kind"]
    assert "对方" in question and "平台" not in question
    labels = [LOCALES.get("zh-CN").render(b.label) for b in chat.buttons]
    assert not any("主管" in label for label in labels)


@pytest.mark.parametrize("kind", ["extension", "installments", "waive", "supervisor"])
def test_the_private_script_in_english_names_no_platform(ctx: Context, kind: str):
    chat = _script_for(ctx, LenderKind.PRIVATE, kind, "en")
    body = rendered(chat, "en")[f"negotiate.script_private.{kind}"].split("<code>")[1]
    for platform_word in ("platform", "borrower of", "customer service", "supervisor", "ticket"):
        assert platform_word not in body, platform_word


def test_a_licensed_lender_keeps_the_platform_script(ctx: Context):
    chat = _script_for(ctx, LenderKind.CONSUMER_FINANCE, "waive", "zh-CN")
    assert "negotiate.script.waive" in rendered(chat)
    assert "negotiate.tips" in rendered(chat)


# ---- 3. dates and durations in everyday words -----------------------------------------------

TODAY = date(2026, 11, 24)  # ctx.now


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("昨天", date(2026, 11, 23)),
        ("前天", date(2026, 11, 22)),
        ("今天", TODAY),
        ("上个月5号", date(2026, 10, 5)),
        ("本月3号", date(2026, 11, 3)),
        ("2023年9月1日", date(2023, 9, 1)),
    ],
)
def test_a_past_day_in_everyday_words_is_read(ctx: Context, typed: str, expected: date):
    assert parse_past_date(typed, ctx) == Parsed(expected)
    assert parse_day(typed, ctx) == Parsed(expected)


@pytest.mark.parametrize("typed", ["明天", "下个月5号", "2026年12月"])
def test_a_day_still_to_come_is_refused_as_a_past_day(ctx: Context, typed: str):
    assert parse_past_date(typed, ctx) == Invalid("parsing.date.future")
    # The day something happened has its own message, not the loan date's.
    assert parse_day(typed, ctx) == Invalid("days.in_future")


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("2023年9月", date(2023, 9, 1)),
        ("2023-09", date(2023, 9, 1)),
        ("2024年2月份", date(2024, 2, 1)),
    ],
)
def test_a_month_without_a_day_is_asked_back_never_guessed(ctx: Context, typed: str, first: date):
    # Before: "没看懂这个日期". Now: which day? with the 1st offered, spelt out, as a button.
    result = parse_past_date(typed, ctx)
    assert isinstance(result, Ask) and result.question == "parsing.date.which_day"
    (option,) = result.options
    assert option.value == first and option.label_values == {"date": first.isoformat()}


@pytest.mark.parametrize(
    ("typed", "question", "days"),
    [
        ("一个多月", "parsing.days.about_more", 30),
        ("两个多月了", "parsing.days.about_more", 60),
        ("一个月出头", "parsing.days.about_more", 30),
        ("20多天", "parsing.days.about_more", 20),
        ("十多天", "parsing.days.about_more", 10),
        ("半年多", "parsing.days.about_more", 180),
        ("快两个月了", "parsing.days.about", 60),
        ("不到一个月", "parsing.days.about", 30),
        ("3个月", "parsing.days.about", 90),
    ],
)
def test_a_rough_time_overdue_is_asked_back_as_days(
    ctx: Context, typed: str, question: str, days: int
):
    result = parse_days_overdue(typed, ctx)
    assert isinstance(result, Ask) and result.question == question
    (option,) = result.options
    assert option.value == days


@pytest.mark.parametrize(("typed", "days"), [("昨天", 1), ("上个月5号", 50), ("30天", 30)])
def test_overdue_since_a_day_in_everyday_words_counts_the_days(ctx: Context, typed: str, days: int):
    assert parse_days_overdue(typed, ctx) == Parsed(days)


def test_next_months_day_as_a_due_date_asks_monthly_or_once(ctx: Context):
    result = parse_due("下个月5号", ctx)
    assert isinstance(result, Ask) and result.question == "parsing.due.which_kind"
    assert [o.value for o in result.options] == [
        DueSpec.monthly(5),
        DueSpec.once(date(2026, 12, 5)),
    ]


def test_a_month_only_contract_date_is_confirmed_in_the_debt_form(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("朋友借款")
    bot.press("nav.skip")  # lender
    bot.say("2023年9月")
    assert bot.keys[-1] == "parsing.date.which_day"
    assert "“2023年9月”具体是哪一天" in rendered(bot)["parsing.date.which_day"]
    bot.press("parsing.date.option_first")
    assert bot.state.position.draft["contract_date"] == "2023-09-01"
    assert bot.keys[-1] == "debts.ask.borrowed"


# ---- 4. chart legend tags -------------------------------------------------------------------


def test_chart_legend_tags_are_letters_not_hashtags():
    # Before: "#1 借呗" — a hashtag in Telegram, and a button-like number in the terminal.
    assert [legend_tag(n) for n in (1, 2, 26, 27, 28)] == ["A", "B", "Z", "AA", "AB"]


# ---- 5. the CSV export a person can read ----------------------------------------------------


def _stored_rows(locale: str) -> dict[str, list[dict[str, object]]]:
    debts = (
        Debt(
            id=1,
            platform="借呗",
            lender=LenderKind.MICROLENDER,
            borrowed=Decimal(10000),
            rate=RateQuote(per_period=Decimal("0.0005"), period=Period.DAY),
            due=DueSpec.monthly(15),
            days_overdue=40,
        ),
        Debt(id=2, platform="=HYPERLINK(1)", lender=LenderKind.PRIVATE),
    )
    log = (
        LogEntry(id=1, on=date(2026, 11, 20), platform="借呗", channel="phone", outcome="refused"),
        LogEntry(
            id=2, kind="incident", on=date(2026, 11, 21), platform="借呗", behaviours=("threats",)
        ),
    )
    state = UserState(locale=locale, debts=debts, next_debt_id=3, contact_log=log, next_log_id=3)
    return {
        "users": [{"user_id": 1, "chat_id": 1, "state": state.model_dump_json(), "active": 1}],
        "quarantine": [{"id": 7, "user_id": 1, "state": "{}", "reason": "bad json", "saved_at": 0}],
        "reminders": [
            {"user_id": 1, "debt_id": 1, "due_date": "2026-12-15", "lead": 3, "fire_at": 1765500000}
        ],
        "reminders_sent": [
            {
                "user_id": 1,
                "debt_id": 1,
                "due_date": "2026-11-15",
                "lead": 0,
                "fire_at": 1763168400,
                "outcome": "sent",
            }
        ],
    }


def _csv_rows(locale: str) -> list[list[str]]:
    data = as_csv(_stored_rows(locale), LOCALES.get(locale)).decode("utf-8")
    assert data.startswith("\ufeff")  # Excel reads UTF-8 Chinese only with the mark
    return list(csv.reader(io.StringIO(data.removeprefix("\ufeff"))))


def test_the_csv_has_a_readable_section_per_record_with_headers_in_chinese():
    # Before: one line per stored value, "users,1,state.debts[0].rate.per_period,0.0005".
    rows = _csv_rows("zh-CN")
    titles = [r[0] for r in rows if len(r) == 1 and r[0].startswith("【")]
    assert titles[:5] == [
        "【债务清单】",
        "【沟通和催收记录】",
        "【还款记录】",
        "【待发送的还款提醒】",
        "【已处理的还款提醒】",
    ]
    debt_header = rows[1]
    assert debt_header[:3] == ["编号", "平台", "出借方"] and "逾期天数" in debt_header
    first_debt = dict(zip(debt_header, rows[2], strict=True))
    assert first_debt["平台"] == "借呗" and first_debt["出借方"] == "小额贷款公司 / 网络小贷"
    assert first_debt["合同金额（元）"] == "10000.00"
    assert first_debt["利率"] == "日利率 0.05%（单利年化约 18.25%）"  # as the debt list shows it
    assert first_debt["还款日"] == "每月 15 号" and first_debt["逾期天数"] == "40"
    flat = [cell for row in rows for cell in row]
    assert "威胁、恐吓" in flat and "电话" in flat and "拒绝了" in flat
    assert "提前 3 天" in flat and "已发送" in flat
    assert not any("state.debts[0].rate" in cell for cell in flat)  # shown above, not twice


def test_the_csv_follows_the_users_language():
    rows = _csv_rows("en")
    assert rows[0] == ["[Debts]"] and rows[1][:2] == ["No.", "Platform"]


def test_the_csv_still_holds_every_stored_row():
    rows = _csv_rows("zh-CN")
    flat = [cell for row in rows for cell in row]
    assert flat.count("借呗") >= 4  # the debt, two log entries, the reminders by platform
    assert "2026-12-15" in flat and "2026-11-15" in flat  # both reminder rows
    assert ["quarantine", "1", "reason", "bad json"] in rows  # no section of its own: raw
    assert any(cell.startswith("state.debts[0].reminders") for cell in flat)  # not shown above


def test_a_name_that_looks_like_a_formula_stays_text_in_excel():
    flat = [cell for row in _csv_rows("zh-CN") for cell in row]
    assert "'=HYPERLINK(1)" in flat and "=HYPERLINK(1)" not in flat


# ---- 6. the plan's first month --------------------------------------------------------------


def _plan_state(ctx: Context, **debt_terms: object) -> Driver:
    chat = Driver(ctx)  # ctx.now: 2026-11-24, late in the month
    chat.command("start")
    debt = Debt(id=1, platform="借呗", borrowed=Decimal(20000), **debt_terms)
    budget = Budget(income=Decimal(6000), rent=Decimal(3200))
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "budget": budget}
    )
    chat.command("plan")
    return chat


def test_late_in_the_month_with_this_months_due_day_past_the_plan_starts_next_month(
    ctx: Context,
):
    # Before: month 1 was November even on the 24th, with the 15th's payment already made,
    # planning a full 2,800 for the last days of the month.
    chat = _plan_state(ctx, due=DueSpec.monthly(15), days_overdue=0)
    overview = rendered(chat)["plan.overview_single"]
    assert "计划从下月（2026-12）开始" in overview
    chart = next(r for r in chat.outcome.replies if r.attachment is not None)
    assert chart.attachment.payload["months"][0] == "2026-12"
    # A reminder for the December due date names the plan's first month.
    assert payment_on(chat.state, 1, date(2026, 12, 15), ctx) == Decimal(2800)


@pytest.mark.parametrize(
    "terms",
    [
        {"due": DueSpec.monthly(15), "days_overdue": 9},  # overdue: pay now
        {"due": DueSpec.monthly(28), "days_overdue": 0},  # due later this month
        {"due": DueSpec.monthly(15)},  # not known whether it is overdue
        {"days_overdue": 0},  # due day not known
    ],
)
def test_the_plan_starts_this_month_while_something_may_be_due_in_it(
    ctx: Context, terms: dict[str, object]
):
    chat = _plan_state(ctx, **terms)
    assert "计划从本月（2026-11）开始" in rendered(chat)["plan.overview_single"]
    chart = next(r for r in chat.outcome.replies if r.attachment is not None)
    assert chart.attachment.payload["months"][0] == "2026-11"


def test_the_first_month_rule_at_the_turn_of_the_year():
    debts = (Debt(id=1, platform="x", borrowed=Decimal(1), due=DueSpec.monthly(5), days_overdue=0),)
    assert plan_start(debts, date(2026, 12, 20)) == date(2027, 1, 1)
    assert plan_start(debts, date(2026, 12, 5)) == date(2026, 12, 5)  # due today
