"""Step 3 as a user walks it: income, essentials, assets, and what is left each month."""

from __future__ import annotations

from decimal import Decimal

from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.texts import Text
from tests.driver import Driver

D = Decimal
SPENDING = ["2000", "300", "1500", "200", "0", "0"]  # rent, utilities, food, transport, ...


def started(ctx: Context, **fields: object) -> Driver:
    return Driver(ctx, UserState(started=True, **fields))


def open_budget_form(d: Driver) -> None:
    """From anywhere: to the budget overview, then its first question (the kind of income)."""
    d.command("budget")
    d.press("budget.start")


def fill_budget(d: Driver, income: str = "8000", spending: list[str] = SPENDING) -> None:
    open_budget_form(d)
    d.press("budget.income_kind.fixed")
    d.say(income)
    for amount in spending:
        d.say(amount)


def value(reply_text: Text, name: str) -> object:
    return reply_text.values[name]


def test_the_budget_starts_by_explaining_the_living_floor(ctx):
    d = started(ctx)
    d.command("budget")
    assert d.keys == ["budget.intro"]
    assert value(d.outcome.replies[0].text, "floor") == "1,500"


def test_a_whole_budget_gives_what_is_truly_available_each_month(ctx):
    d = started(ctx)
    fill_budget(d)
    d.press("nav.skip")  # nothing to sell
    assert d.keys == ["budget.saved", "budget.summary"]
    assert d.state.budget is not None
    assert d.state.budget.essentials == D("4000.00")
    assert value(d.outcome.replies[-1].text, "monthly") == "4,000"
    assert d.where == ("budget", "overview")


def test_an_irregular_income_is_asked_as_a_cautious_low_estimate(ctx):
    d = started(ctx)
    open_budget_form(d)
    d.press("budget.income_kind.irregular")
    hint = value(d.outcome.replies[-1].text, "hint")
    assert isinstance(hint, Text) and hint.key == "budget.ask.income_hint.irregular"


def test_spending_can_be_zero_or_skipped(ctx):
    d = started(ctx)
    open_budget_form(d)
    d.press("budget.income_kind.fixed")
    d.say("5000")
    d.say("0")
    for _ in range(5):
        d.press("nav.skip")
    d.press("nav.skip")
    assert d.state.budget is not None and d.state.budget.essentials == 0
    # Living is still kept at the floor, not squeezed to zero.
    assert value(d.outcome.replies[-1].text, "monthly") == "3,500"


def test_garbage_and_negative_amounts_get_a_friendly_reply_and_keep_the_answers(ctx):
    d = started(ctx)
    open_budget_form(d)
    d.press("budget.income_kind.fixed")
    d.say("8000")
    for bad in ("lots", "-300", "\U0001f4b8", "999999999999"):
        d.say(bad)
        assert d.keys[-1] == "budget.ask.rent"
        assert d.keys[0].startswith(("budget.amount.", "parsing.amount."))
    assert d.state.position.draft["income"] == "8000.00"


def test_a_sale_goes_into_the_month_the_user_expects(ctx):
    d = started(ctx)
    fill_budget(d)
    d.say("1.2\u4e07")
    d.say("3")
    assert d.keys == ["budget.month.which"]
    d.press("budget.month.calendar")
    assert d.state.budget is not None
    assert [(s.amount, s.month) for s in d.state.budget.assets] == [(D("12000.00"), "2027-03")]


def test_more_assets_can_be_added_and_cleared_from_the_summary(ctx):
    d = started(ctx)
    fill_budget(d)
    d.press("nav.skip")
    d.press("budget.add_asset")
    d.say("3000")
    d.say("\u4e0b\u4e2a\u6708")
    assert d.keys[0] == "budget.asset_added"
    assert d.state.budget is not None and len(d.state.budget.assets) == 1
    d.press("budget.clear_assets")
    assert d.state.budget is not None and d.state.budget.assets == ()


def test_nothing_left_is_said_kindly_and_leads_to_negotiation_not_a_plan(ctx):
    d = started(ctx)
    fill_budget(d, income="4000")
    d.press("nav.skip")
    assert d.keys[0] == "budget.nothing_left"
    assert d.where[0] == "negotiate"
    assert d.state.budget is not None  # what the user entered is kept
    d.command("budget")
    assert d.keys == ["budget.summary_nothing_left"]
    assert "budget.go_negotiate" in [b.label.key for b in d.buttons]


def test_the_floor_is_a_setting(ctx):
    settings = ctx.settings.model_copy(update={"living_floor": D("3000")})
    d = started(Context(now=ctx.now, facts=ctx.facts, settings=settings))
    fill_budget(d, spending=["0"] * 6)
    d.press("nav.skip")
    assert value(d.outcome.replies[-1].text, "monthly") == "5,000"


def test_going_back_from_the_first_question_returns_to_the_overview(ctx):
    d = started(ctx)
    open_budget_form(d)
    d.press("nav.back")
    assert d.keys == ["budget.intro"]
