"""Step 4 as a user sees it: compare orders, page through months, get a chart and a CSV."""

from __future__ import annotations

import csv
import io
import struct
from datetime import timedelta
from decimal import Decimal

import pytest

from bot import charts
from bot.attachments import produce
from bot.charts import render_chart
from bot.locale import Locales
from bot.render import MESSAGE_LIMIT, render, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import Attachment, ButtonPress, Reply
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.ledger import Debt, InstallmentTerms, LenderKind, RateQuote
from flows.domain.money import Period
from flows.steps.plan import situation
from tests.driver import Driver, adding_a_debt

D = Decimal
LOCALES = Locales.load(PROJECT_ROOT / "locales")
BUDGET = Budget(income=D("9000"), rent=D("2000"), food=D("1500"))  # 5,500 a month
DEBTS = (
    Debt(
        id=1,
        platform="\u501f\u5457",
        remaining_principal=D("20000"),
        rate=RateQuote(per_period=D("0.0003"), period=Period.DAY),
        days_overdue=30,
    ),
    Debt(
        id=2,
        platform="\u7f8e\u56e2\u6708\u4ed8",
        remaining_principal=D("3000"),
        rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
        installments=InstallmentTerms(payment=D("500"), periods=6),
    ),
)


def driver(ctx: Context, **fields: object) -> Driver:
    return Driver(ctx, UserState(started=True, **fields))


def attachments(d: Driver) -> list[Attachment]:
    assert d.outcome is not None
    return [r.attachment for r in d.outcome.replies if r.attachment is not None]


def rendered(reply: Reply, locale: str = "zh-CN"):
    return render(LOCALES.get(locale), reply)


def test_no_debts_leads_to_the_debt_list(ctx):
    d = driver(ctx, budget=BUDGET)
    d.command("plan")
    assert d.keys == ["plan.no_debts"]
    assert d.button("plan.go_debts").data == "m:debts"


def test_debts_without_a_budget_lead_to_the_budget(ctx):
    d = driver(ctx, debts=DEBTS)
    d.command("plan")
    assert d.keys == ["plan.no_budget"]
    d.press("plan.go_budget")
    assert d.where == ("budget", "overview")


def test_debts_without_amounts_are_named_not_planned(ctx):
    d = driver(ctx, debts=(Debt(id=5, platform="X"),), budget=BUDGET)
    d.command("plan")
    assert d.keys == ["plan.amounts_missing"]


def test_nothing_left_after_living_is_refused_and_leads_to_negotiation(ctx):
    d = driver(ctx, debts=DEBTS, budget=Budget(income=D("1000")))
    d.command("plan")
    assert d.keys == ["plan.nothing_left"]
    assert d.button("plan.go_negotiate").data == "m:negotiate"


def test_payments_below_the_interest_get_the_kind_refusal_not_a_plan(ctx):
    # 1.5% a month (18% a year, within a bank's line) on 400,000: 6,000 of interest a month.
    usury = Debt(
        id=1,
        platform="X",
        lender=LenderKind.BANK,
        remaining_principal=D("400000"),
        rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
    )
    d = driver(ctx, debts=(usury,), budget=BUDGET)
    d.command("plan")
    assert attachments(d) == []
    detail = d.outcome.replies[0].text.values["detail"]
    assert detail.key == "plan.refusal.interest_not_covered"
    assert "plan.go_negotiate" in [b.label.key for b in d.buttons]
    assert "plan.export_csv" not in [b.label.key for b in d.buttons]


def test_the_plan_compares_three_orders_and_sends_the_chart(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    assert d.keys == ["plan.overview", "plan.chart.caption"]
    assert len(d.outcome.replies[0].text.values["comparison"]) == 3
    (chart,) = attachments(d)
    assert chart.kind == "plan_chart"
    assert d.outcome.replies[-1].buttons  # the buttons sit under the chart


def test_choosing_another_order_shows_it(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    avalanche = next(b for b in d.buttons if b.data.endswith("order:avalanche"))
    d.send(ButtonPress(avalanche.data))
    assert d.state.plan_order == "avalanche"
    assert d.outcome.replies[0].text.values["order"].key == "plan.order.avalanche"


def test_forged_order_and_page_arguments_change_nothing_harmful(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    d.press("plan.show_table")
    for data in ("page:abc", "page:99999999", "page:-1", "page:", "order:../../etc", "order:"):
        outcome = d.send(ButtonPress(f"{d.state.prompt_seq}|{data}"))
        assert outcome.replies
        assert d.where[0] == "plan"
    assert d.state.plan_order == "guide"
    d.press("plan.show_table")
    d.send(ButtonPress(f"{d.state.prompt_seq}|page:9999"))
    assert d.keys == ["plan.table.page"]
    assert d.outcome.replies[0].text.values["page"] == d.outcome.replies[0].text.values["pages"]


def test_the_plan_follows_the_budget_without_caching(ctx):
    state = UserState(started=True, debts=DEBTS, budget=BUDGET)
    before = situation(state, ctx).plan
    richer = state.model_copy(update={"budget": BUDGET.model_copy(update={"income": D("20000")})})
    after = situation(richer, ctx).plan
    assert before is not None and after is not None
    assert after.payoff_month < before.payoff_month


def ten_long_names() -> tuple[Debt, ...]:
    return tuple(
        Debt(
            id=i,
            platform=f"{i:02d}" + "\u5e73" * 28,
            remaining_principal=D("50000") + i,
            rate=RateQuote(per_period=D("0.01"), period=Period.MONTH),
            installments=InstallmentTerms(payment=D("99999.99"), periods=12) if i == 1 else None,
        )
        for i in range(1, 11)
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_table_page_fits_one_telegram_message(ctx, locale):
    d = driver(ctx, debts=ten_long_names(), budget=Budget(income=D("8888.88")))
    d.command("plan")
    d.press("plan.show_table")
    pages = 1
    while True:
        (reply,) = d.outcome.replies
        shown = rendered(reply, locale)
        assert len(shown.parts) == 1 and utf16_length(shown.parts[0]) < MESSAGE_LIMIT
        if not any(b.label.key == "plan.table.next" for b in d.buttons):
            break
        d.press("plan.table.next")
        pages += 1
    assert pages > 5
    d.press("plan.table.previous")
    assert d.state.position.draft["page"] == pages - 2


def test_the_overview_fits_a_message_with_ten_debts(ctx):
    d = driver(ctx, debts=ten_long_names(), budget=Budget(income=D("8888.88")))
    d.command("plan")
    for reply in d.outcome.replies:
        shown = rendered(reply)
        assert all(utf16_length(p) < MESSAGE_LIMIT for p in shown.parts)


# ---- the chart ------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_of_sensible_size(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    chart = next(r for r in d.outcome.replies if r.attachment)
    shown = rendered(chart)
    data = produce(shown.attachment)
    width, height = png_size(data)
    assert 600 <= width <= 2000 and 300 <= height <= 1500
    assert width + height <= 10000 and len(data) < 10_000_000  # Telegram's photo limits
    assert "A\uff1a" in shown.caption and "\u501f\u5457" in shown.caption  # the legend mapping


def test_the_chart_starts_today_and_ends_in_the_payoff_month_the_text_names(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    (chart,) = attachments(d)
    payoff_month = d.outcome.replies[0].text.values["comparison"][0].values["month"]
    months = chart.payload["months"]
    assert chart.payload["start"].key == "plan.chart.start"
    assert months[0] == ctx.now.strftime("%Y-%m") and months[-1] == payoff_month
    for series in chart.payload["series"]:
        assert len(series["values"]) == len(months) + 1  # today's balance, then one per month
        assert Decimal(series["values"][-1]) == 0


def test_a_chart_without_any_month_or_font_for_its_labels_still_renders():
    data = render_chart([], [], {"title": "\u6807\u9898", "x_label": "", "y_label": ""})
    assert png_size(data)[0] > 0
    data = render_chart(
        ["2026-11", "2026-12"],
        [{"tag": "A", "name": "\u501f\u5457", "values": ["100", "0"]}],
        {"title": "\u6807\u9898", "x_label": "\u6708\u4efd", "y_label": "\u5143"},
    )
    assert png_size(data)[0] > 0


def test_without_a_chinese_font_the_chart_shows_tags_and_neutral_labels(monkeypatch):
    monkeypatch.setattr(charts, "available_fonts", lambda: charts.Fonts(latin1=True))
    series = {"tag": "A", "name": "\u501f\u5457"}
    assert charts._series_label(series) == "A"
    assert charts._label({"x_label": "\u6708\u4efd"}, "x_label") == "Month"
    with_cjk = charts.Fonts(cjk=True)
    monkeypatch.setattr(charts, "available_fonts", lambda: with_cjk)
    assert charts._series_label(series) == "A \u501f\u5457"
    assert charts._label({"x_label": "\u6708\u4efd"}, "x_label") == "\u6708\u4efd"


def test_without_a_chinese_font_the_caption_still_names_every_platform(ctx, monkeypatch):
    monkeypatch.setattr(charts, "available_fonts", lambda: charts.Fonts())
    d = driver(ctx, debts=DEBTS, budget=BUDGET)
    d.command("plan")
    shown = rendered(next(r for r in d.outcome.replies if r.attachment))
    assert png_size(produce(shown.attachment)) == (charts.WIDTH, charts.HEIGHT)
    assert "A\uff1a\u501f\u5457" in shown.caption
    assert "B\uff1a\u7f8e\u56e2\u6708\u4ed8" in shown.caption


# ---- the CSV --------------------------------------------------------------------------------


def test_the_csv_round_trips_with_a_bom_for_excel(ctx):
    d = driver(ctx, debts=(*DEBTS, Debt(id=9, platform="no amount")), budget=BUDGET)
    d.command("plan")
    d.press("plan.export_csv")
    (reply,) = d.outcome.replies
    shown = rendered(reply)
    assert shown.attachment is not None and shown.attachment.filename.endswith(".csv")
    data = produce(shown.attachment)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    expected = [[str(cell) for cell in row] for row in shown.attachment.payload["rows"]]
    assert rows == expected
    assert rows[1][0] == "\u5e73\u53f0"  # the header is in Chinese
    platforms = [row[0] for row in rows[2:5]]
    assert platforms == ["\u501f\u5457", "\u7f8e\u56e2\u6708\u4ed8", "no amount"]
    plan = situation(d.state, ctx).plan
    assert plan is not None
    month_rows = [row for row in rows if row and row[0][:2] == "20"]
    assert sum(D(row[4]) for row in month_rows) == plan.total_paid


def test_a_plan_on_month_old_balances_asks_to_update_the_debt_list(ctx):
    month_ago = ctx.now.date() - timedelta(days=31)
    d = driver(ctx, debts=DEBTS, budget=BUDGET, debts_changed_on=month_ago)
    d.command("plan")
    notes = d.outcome.replies[0].text.values["notes"]
    stale = [n for n in notes if n.key == "plan.note_stale"]
    assert stale and stale[0].values == {"day": month_ago.isoformat(), "days": 31}


def test_a_plan_on_fresh_balances_says_nothing_about_their_age(ctx):
    d = driver(ctx, debts=DEBTS, budget=BUDGET, debts_changed_on=ctx.now.date())
    d.command("plan")
    notes = d.outcome.replies[0].text.values["notes"]
    assert all(n.key != "plan.note_stale" for n in notes)


def test_adding_a_debt_dates_the_list(ctx):
    d = adding_a_debt(ctx)
    assert d.state.debts_changed_on is None
    d.say("\u501f\u5457")
    d.press("debts.save_now")
    assert len(d.state.debts) == 1 and d.state.debts_changed_on == ctx.now.date()


def test_a_platform_name_that_looks_like_a_formula_stays_text_in_the_plan_csv(ctx):
    tricky = DEBTS[0].model_copy(update={"platform": "=HYPERLINK(1)"})
    d = driver(ctx, debts=(tricky, DEBTS[1]), budget=BUDGET)
    d.command("plan")
    d.press("plan.export_csv")
    (table,) = attachments(d)
    content = produce(rendered(d.outcome.replies[-1]).attachment).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    assert table.kind == "csv"
