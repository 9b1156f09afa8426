"""Step 4, the repayment plan: three orders compared, a month-by-month table, a chart, a CSV.
Long (one step: the overview, the table, the chart, the CSV and the order buttons read one plan).

Nothing is cached: every screen computes the plan from the debts and the budget in the state,
so it follows any change to either. Missing debts or budget lead to the step that fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from flows.conversation.core import Attachment, Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, Step, move, nav_row, say, to_node
from flows.conversation.planned import chosen_order, paid_marks, plan_start
from flows.conversation.state import UserState
from flows.domain.budget import Available, asset_sales, available, living_floor, month_key
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import Debt
from flows.domain.plan import (
    ORDERS,
    AtRisk,
    DebtOutcome,
    Month,
    Order,
    Plan,
    PlanDebt,
    Refusal,
    compare,
    custom_order,
    moved,
    plan_debts,
)
from flows.domain.texts import Text, Value, text
from flows.steps.payments import progress_line

STEP_ID = "plan"
CHART_FILE = "yuqi-plan.png"
CSV_FILE = "yuqi-plan.csv"
# Lines of payments per page of the table: with 30-character platform names a page stays well
# under Telegram's 4096 characters (tests/steps/test_plan_step.py checks the worst case).
LINES_PER_PAGE = 40
MONTHS_PER_PAGE = 12


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the plan screens show, computed from the state now."""

    debts: tuple[PlanDebt, ...]
    missing: tuple[Debt, ...]
    available: Available | None
    results: dict[Order, Plan | Refusal]
    order: Order
    today: date
    start: date  # month 1 of the plan is this day's month (flows.planned.plan_start)
    balances_from: date | None = None  # the day the debt list last changed
    progress: Text | None = None  # paid so far (flows/steps/payments.py), once there is any

    @property
    def chosen(self) -> Plan | Refusal | None:
        return self.results.get(self.order)

    @property
    def plan(self) -> Plan | None:
        chosen = self.chosen
        return chosen if isinstance(chosen, Plan) else None


def situation(state: UserState, ctx: Context) -> Situation:
    today = ctx.now.date()
    start = plan_start(state.debts, today, paid_marks(state))
    debts, missing = plan_debts(state.debts, ctx.facts, today, start)
    order = chosen_order(state)
    money = available(state.budget, living_floor(ctx)) if state.budget else None
    results: dict[Order, Plan | Refusal] = {}
    own = state.plan_custom if state.plan_custom or order is Order.CUSTOM else None
    if debts and money is not None:
        assert state.budget is not None
        results = compare(debts, money.monthly, asset_sales(state.budget, start), own)
    return Situation(
        debts,
        missing,
        money,
        results,
        order,
        today,
        start,
        state.debts_changed_on,
        progress_line(state, ctx),
    )


# ---- what is missing ------------------------------------------------------------------------


def _go(label: str, step_id: str) -> tuple[Button, ...]:
    return (Button(text(label), f"m:{step_id}"),)


def _missing_step(view: Situation) -> Reply | None:
    """A reply leading to the step that has to come first, or None when a plan can be made."""
    if not view.debts and view.missing:
        names = tuple(text("plan.platform_line", platform=d.platform) for d in view.missing)
        return Reply(
            text("plan.amounts_missing", platforms=names),
            (_go("plan.go_debts", "debts"), nav_row()),
        )
    if not view.debts:
        return Reply(text("plan.no_debts"), (_go("plan.go_debts", "debts"), nav_row()))
    if view.available is None:
        return Reply(text("plan.no_budget"), (_go("plan.go_budget", "budget"), nav_row()))
    if view.available.nothing_left:
        rows = (_go("plan.go_negotiate", "negotiate"), _go("plan.go_budget", "budget"), nav_row())
        return Reply(text("plan.nothing_left", reserved=money_text(view.available.reserved)), rows)
    return None


# ---- the overview ---------------------------------------------------------------------------


def _month_label(view: Situation, number: int) -> str:
    """The calendar month of plan month `number` (1 = this month)."""
    return month_key(view.start, number - 1)


def _comparison_line(view: Situation, order: Order) -> Text:
    result = view.results[order]
    name = text(f"plan.order.{order.value}")
    if isinstance(result, Refusal):
        return text("plan.compare_refused", order=name)
    return text(
        "plan.compare_line",
        order=name,
        month=_month_label(view, result.payoff_month),
        months=result.payoff_month,
        interest=money_text(result.total_interest),
        marker=text("plan.chosen_marker") if order is view.order else "",
    )


def debt_rules(debt: PlanDebt) -> list[tuple[str, dict[str, Value]]]:
    """The plan's rules that apply to this debt, each a locale name and its values: the plan
    explains a rule in one sentence the first time it applies, then names it briefly."""
    rules: list[tuple[str, dict[str, Value]]] = []
    if debt.agreed:
        rules.append(("agreed", {"amount": money_text(debt.minimum)}))
        if debt.agreed_above_line:
            rules.append(("agreed_above", {}))
        return rules
    elif debt.current and debt.single and debt.minimum > 0:
        rules.append(("current_single", {"amount": money_text(debt.minimum)}))
    elif debt.current and debt.minimum > 0:
        rules.append(("current", {"amount": money_text(debt.minimum)}))
    elif debt.overdue and debt.minimum > 0:
        rules.append(("overdue_installment", {"amount": money_text(debt.minimum)}))
    if debt.above_line and debt.disputed > 0:
        name = "possibly_above" if debt.disputed_last else "above"
        rules.append((name, {"amount": money_text(debt.disputed)}))
    elif debt.above_line:
        rules.append(("above_rate", {}))
    return rules


def _debt_line(
    view: Situation, number: int, outcome: DebtOutcome, explained: set[str] | None = None
) -> Text:
    debt = outcome.debt
    explained = set() if explained is None else explained
    notes: list[Text] = []
    for rule, values in debt_rules(debt):
        kind = "plan.tag" if rule in explained else "plan.rule"
        explained.add(rule)
        notes.append(text(f"{kind}.{rule}", **values))
    if not debt.rate_known:
        notes.append(text("plan.note_rate_unknown"))
    return text(
        "plan.debt_line",
        number=number,
        platform=debt.platform,
        balance=money_text(debt.planned_total),
        month=_month_label(view, outcome.payoff_month),
        interest=money_text(outcome.interest),
        notes=text("plan.debt_notes", notes=tuple(notes)) if notes else "",
    )


def _risk_buttons(plan: Plan) -> tuple[tuple[Button, ...], ...]:
    """Where a payment at risk is dealt with: the platform (negotiate before the due date), or
    the debt list for a monthly payment the plan does not know yet."""
    reasons = {risk.reason for risk in plan.at_risk}
    rows: list[tuple[Button, ...]] = []
    if reasons & {"budget", "above_line"}:
        rows.append(_go("plan.go_negotiate", "negotiate"))
    if "payment_unknown" in reasons:
        rows.append(_go("plan.go_debts_fill", "debts"))
    return tuple(rows)


def _risk_line(view: Situation, plan: Plan, risk: AtRisk) -> Text:
    names = {o.debt.id: o.debt.platform for o in plan.debts}
    return text(
        f"plan.at_risk.{risk.reason}",
        platform=names.get(risk.debt_id, ""),
        month=_month_label(view, risk.month),
        due=money_text(risk.due),
        paid=money_text(risk.paid),
    )


def _refusal(view: Situation, refusal: Refusal) -> Text:
    return text(
        f"plan.refusal.{refusal.reason}",
        monthly=money_text(refusal.monthly),
        interest=money_text(refusal.monthly_interest),
        order=text(f"plan.order.{refusal.order.value}"),
    )


def _shown_orders(view: Situation) -> tuple[Order, ...]:
    """The three orders, and the user's own once there is one."""
    return tuple(o for o in (*ORDERS, Order.CUSTOM) if o in view.results)


def _order_buttons(view: Situation) -> tuple[tuple[Button, ...], ...]:
    buttons = tuple(
        Button(
            text(
                "plan.order_button",
                order=text(f"plan.order_short.{o.value}"),
                marker=text("plan.chosen_marker") if o is view.order else "",
            ),
            f"order:{o.value}",
        )
        for o in _shown_orders(view)
    )
    return (buttons[:3], (*buttons[3:], Button(text("plan.reorder"), "reorder")))


def _overview(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    return overview_replies(situation(state, ctx))


def overview_replies(view: Situation) -> tuple[Reply, ...]:
    missing = _missing_step(view)
    if missing is not None:
        return (missing,)
    assert view.available is not None
    plan = view.plan
    if plan is not None and len(view.debts) == 1:
        return (_single_debt_overview(view, plan),)
    comparison = tuple(_comparison_line(view, o) for o in _shown_orders(view))
    rows: list[tuple[Button, ...]] = [*_order_buttons(view)]
    if plan is not None:
        rows.extend(_risk_buttons(plan))
    if plan is None:
        chosen = view.chosen
        assert isinstance(chosen, Refusal)
        detail: Value = _refusal(view, chosen)
        rows.append(_go("plan.go_negotiate", "negotiate"))
        rows.append(_go("plan.go_budget", "budget"))
    else:
        detail = _detail(view, plan)
        rows.extend(PLAN_VIEWS)
    notes = _notes(view, refused=plan is None)
    body = text(
        "plan.overview",
        monthly=money_text(view.available.monthly),
        start=_start_line(view),
        comparison=comparison,
        order=text(f"plan.order.{view.order.value}"),
        explain=text(f"plan.order_explain.{view.order.value}"),
        detail=detail,
        notes=notes,
        closing=text("plan.closing_refused" if plan is None else "plan.closing"),
    )
    return (Reply(body, (*rows, nav_row())),)


def _single_debt_overview(view: Situation, plan: Plan) -> Reply:
    # One debt: every order is the same plan, so three equal lines and order buttons are noise.
    assert view.available is not None
    rows = _risk_buttons(plan)
    body = text(
        "plan.overview_single",
        monthly=money_text(view.available.monthly),
        start=_start_line(view),
        detail=_detail(view, plan),
        notes=_notes(view),
    )
    return Reply(body, (*rows, *PLAN_VIEWS, nav_row()))


# The ways to look at a plan once there is one: the month table, the chart, the CSV.
PLAN_VIEWS = (
    (Button(text("plan.show_table"), "table"), Button(text("plan.show_chart"), "chart")),
    (Button(text("plan.export_csv"), "csv"),),
)


def _detail(view: Situation, plan: Plan) -> tuple[Text, ...]:
    explained: set[str] = set()
    return tuple(_debt_line(view, i, o, explained) for i, o in enumerate(plan.debts, start=1))


def _start_line(view: Situation) -> Text:
    later = month_key(view.start, 0) != month_key(view.today, 0)
    key = "plan.start_next_month" if later else "plan.start_this_month"
    return text(key, month=month_key(view.start, 0))


def _notes(view: Situation, refused: bool = False) -> Value:
    """Notes under the plan; without a plan only the missing amounts still matter."""
    notes: list[Text] = []
    if view.missing:
        names = tuple(text("plan.platform_line", platform=d.platform) for d in view.missing)
        notes.append(text("plan.note_missing", platforms=names))
    if refused:
        return tuple(notes) if notes else ""
    plan = view.plan
    if plan is not None:
        # Payments at risk come first: each needs a call before its due date.
        notes[:0] = [_risk_line(view, plan, risk) for risk in plan.at_risk]
        if plan.total_disputed > 0:
            notes.append(text("plan.note_disputed", amount=money_text(plan.total_disputed)))
    if any(d.above_line for d in view.debts):
        notes.append(text("plan.note_negotiate"))
    if view.available is not None and view.available.floor_applied:
        notes.append(text("plan.note_floor", floor=money_text(view.available.floor)))
    stale = _stale_balances(view)
    if stale is not None:
        notes.append(stale)
    if view.progress is not None:
        notes.append(view.progress)
    return tuple(notes) if notes else ""


# The plan starts from the balances the user typed; after this long they have likely paid some.
STALE_AFTER_DAYS = 25


def _stale_balances(view: Situation) -> Text | None:
    """A reminder to update the debt list when its balances are a month old."""
    if view.balances_from is None:
        return None
    days = (view.today - view.balances_from).days
    if days < STALE_AFTER_DAYS:
        return None
    return text("plan.note_stale", day=view.balances_from.isoformat(), days=days)


class Overview(ChoiceNode):
    """The comparison; arriving here also sends the chart, with the buttons under it."""

    def arrive(self, state: UserState, ctx: Context) -> Outcome:
        view = situation(state, ctx)
        replies = overview_replies(view)
        if view.plan is None:
            return Outcome(state, replies)
        *lead, last = replies
        return Outcome(state, (*lead, replace(last, buttons=()), chart_reply(view, last.buttons)))


# ---- the chart ------------------------------------------------------------------------------


def legend_tag(number: int) -> str:
    # Letters, not "#1": Telegram turns "#1" into a hashtag, and in the terminal a number looks
    # like a button to press. 1 -> A, 26 -> Z, 27 -> AA.
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def chart_reply(view: Situation, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
    plan = view.plan
    assert plan is not None
    balances = plan.balances()
    series = [
        {
            "tag": legend_tag(number),
            "name": outcome.debt.platform,
            "values": [str(v) for v in balances[outcome.debt.id]],
        }
        for number, outcome in enumerate(plan.debts, start=1)
    ]
    order = text(f"plan.order.{plan.order.value}")
    payload = {
        "title": text("plan.chart.title", order=order),
        "x_label": text("plan.chart.x_label"),
        "y_label": text("plan.chart.y_label"),
        # Balances start with today's, then one after each month's payment.
        "start": text("plan.chart.start"),
        "months": [month_key(view.start, i) for i in range(plan.payoff_month)],
        "series": series,
    }
    legend = tuple(text("plan.chart.legend", tag=s["tag"], platform=s["name"]) for s in series)
    caption = text("plan.chart.caption", order=order, legend=legend)
    return Reply(caption, buttons, Attachment("plan_chart", CHART_FILE, payload))


def _chart(state: UserState, _argument: str, ctx: Context) -> Outcome:
    view = situation(state, ctx)
    if view.plan is None:
        return move(state, STEP_ID, "overview", ctx)
    return say(state, chart_reply(view, _after_file_buttons()))


def _after_file_buttons() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(text("plan.show_table"), "table"), Button(text("plan.export_csv"), "csv")),
        nav_row(),
    )


# ---- the CSV --------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return f"{value:.2f}"


def csv_rows(view: Situation) -> list[list[Any]]:
    """The debt list, then the plan month by month; header cells are locale texts."""
    plan = view.plan
    assert plan is not None
    yes, no = text("plan.csv.yes"), text("plan.csv.no")
    rows: list[list[Any]] = [
        [text("plan.csv.section_debts")],
        [text(f"plan.csv.debt.{c}") for c in DEBT_COLUMNS],
    ]
    for outcome in plan.debts:
        debt = outcome.debt
        rows.append(
            [
                debt.platform,
                _number(debt.planned_total),
                f"{debt.monthly_rate * 100:.4f}" if debt.rate_known else "",
                _number(debt.minimum) if debt.minimum else "",
                yes if debt.overdue else no,
                yes if debt.above_line else no,
                _month_label(view, outcome.payoff_month),
                _number(outcome.interest),
                _number(outcome.paid),
                _number(debt.disputed) if debt.disputed else "",
                (yes if debt.disputed_last else no) if debt.disputed else "",
            ]
        )
    for debt in view.missing:
        rows.append([debt.platform, *[""] * (len(DEBT_COLUMNS) - 1)])
    rows.append([])
    rows.append([text("plan.csv.section_plan", order=text(f"plan.order.{plan.order.value}"))])
    rows.append([text(f"plan.csv.plan.{c}") for c in PLAN_COLUMNS])
    names = {o.debt.id: o.debt.platform for o in plan.debts}
    for month in plan.months:
        for row in month.rows:
            rows.append(
                [
                    _month_label(view, month.number),
                    _number(month.available),
                    names[row.debt_id],
                    _number(row.interest),
                    _number(row.paid),
                    _number(row.balance),
                    _number(row.paid_disputed) if row.paid_disputed else "",
                ]
            )
    return rows


DEBT_COLUMNS = (
    "platform",
    "balance",
    "monthly_rate",
    "minimum",
    "overdue",
    "above_line",
    "payoff",
    "interest",
    "paid",
    "disputed",
    "disputed_planned",
)
PLAN_COLUMNS = ("month", "available", "platform", "interest", "paid", "balance", "paid_disputed")


def _csv(state: UserState, _argument: str, ctx: Context) -> Outcome:
    view = situation(state, ctx)
    if view.plan is None:
        return move(state, STEP_ID, "overview", ctx)
    attachment = Attachment("csv", CSV_FILE, {"rows": csv_rows(view)})
    return say(state, Reply(text("plan.csv_caption"), _after_file_buttons(), attachment))


# ---- the month-by-month table ---------------------------------------------------------------


def pages(plan: Plan) -> list[tuple[Month, ...]]:
    """The months cut into pages short enough for one Telegram message each."""
    per_page = max(1, min(MONTHS_PER_PAGE, LINES_PER_PAGE // max(1, len(plan.debts))))
    months = plan.months
    return [months[i : i + per_page] for i in range(0, len(months), per_page)]


def _month_block(view: Situation, plan: Plan, month: Month) -> Text:
    names = {o.debt.id: o.debt.platform for o in plan.debts}
    lines = tuple(
        text(
            "plan.table.line_done" if row.balance == 0 else "plan.table.line",
            platform=names[row.debt_id],
            paid=money_text(row.paid),
            balance=money_text(row.balance),
            disputed=text("plan.table.of_which_disputed", amount=money_text(row.paid_disputed))
            if row.paid_disputed
            else "",
        )
        for row in month.rows
    )
    extra: Value = ""
    if month.one_off:
        extra = text("plan.table.one_off", amount=money_text(month.one_off))
    unused = month.available - month.paid
    if unused > 0 and any(row.balance > 0 for row in month.rows):
        # Money is left while a debt is open only where a payment was made smaller so as not to
        # leave a tail of a few fen (flows/domain/plan.py): say so, or it looks like a mistake.
        kept = text("plan.table.unused", amount=money_text(unused))
        extra = text("plan.table.extras", first=extra, second=kept) if extra else kept
    return text(
        "plan.table.month",
        month=_month_label(view, month.number),
        available=money_text(month.available),
        one_off=extra,
        lines=lines,
    )


def _page_number(state: UserState, count: int) -> int:
    raw = state.position.draft.get("page", 0)
    page = raw if isinstance(raw, int) else 0
    return min(max(page, 0), count - 1)


def _table(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    view = situation(state, ctx)
    plan = view.plan
    if plan is None:
        return overview_replies(view)
    cut = pages(plan)
    page = _page_number(state, len(cut))
    body = text(
        "plan.table.page",
        order=text(f"plan.order.{plan.order.value}"),
        page=page + 1,
        pages=len(cut),
        months=tuple(_month_block(view, plan, m) for m in cut[page]),
    )
    turn = []
    if page > 0:
        turn.append(Button(text("plan.table.previous"), f"page:{page - 1}"))
    if page < len(cut) - 1:
        turn.append(Button(text("plan.table.next"), f"page:{page + 1}"))
    rows = (tuple(turn), (Button(text("plan.back_to_overview"), "overview"),), nav_row())
    return (Reply(body, tuple(r for r in rows if r)),)


def _turn_page(state: UserState, argument: str, ctx: Context) -> Outcome:
    if not argument.isdigit() or len(argument) > 4:
        return say(state, *_table(state, ctx))
    return move(state, STEP_ID, "table", ctx, draft={"page": int(argument)})


# ---- actions --------------------------------------------------------------------------------


def _choose_order(state: UserState, argument: str, ctx: Context) -> Outcome:
    if argument not in set(Order):
        return move(state, STEP_ID, "overview", ctx)
    chosen = state.model_copy(update={"plan_order": argument})
    return move(chosen, STEP_ID, "overview", ctx)


def _to_table(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "table", ctx, draft={"page": 0})


_to_overview = to_node(STEP_ID, "overview")


# ---- the user's own order -------------------------------------------------------------------


def _own_order(state: UserState, view: Situation) -> tuple[int, ...]:
    """The user's own order as it stands: their last one, else the order they are looking at."""
    if state.plan_custom:
        return custom_order(view.debts, state.plan_custom)
    chosen = view.chosen
    if isinstance(chosen, Plan):
        return tuple(o.debt.id for o in chosen.debts)
    return custom_order(view.debts, ())


def _reorder(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    view = situation(state, ctx)
    if view.plan is None and not isinstance(view.chosen, Refusal):
        return overview_replies(view)
    names = {d.id: d.platform for d in view.debts}
    order = _own_order(state, view)
    lines = tuple(
        text("plan.reorder_line", number=i, platform=names[debt_id])
        for i, debt_id in enumerate(order, start=1)
    )
    rows = [
        (
            Button(text("plan.move_up", platform=names[debt_id]), f"up:{debt_id}"),
            Button(text("plan.move_down", platform=names[debt_id]), f"down:{debt_id}"),
        )
        for debt_id in order
    ]
    rows.append((Button(text("plan.reorder_done"), "overview"),))
    return (Reply(text("plan.reorder_intro", debts=lines), (*rows, nav_row())),)


def _mover(step: int) -> Any:
    def move_debt(state: UserState, argument: str, ctx: Context) -> Outcome:
        view = situation(state, ctx)
        debt = state.own_debt(argument)
        order = _own_order(state, view)
        if debt is None or debt.id not in order:
            return move(state, STEP_ID, "reorder", ctx)
        update = {"plan_custom": moved(order, debt.id, step), "plan_order": Order.CUSTOM.value}
        return move(state.model_copy(update=update), STEP_ID, "reorder", ctx)

    return move_debt


_to_reorder = to_node(STEP_ID, "reorder")


FILE_ACTIONS = {"chart": _chart, "csv": _csv, "table": _to_table}

STEP = Step(
    id=STEP_ID,
    entry="overview",
    nodes={
        "overview": Overview(
            render=_overview,
            actions={"order": _choose_order, "reorder": _to_reorder, **FILE_ACTIONS},
        ),
        "reorder": ChoiceNode(
            render=_reorder,
            actions={"up": _mover(-1), "down": _mover(1), "overview": _to_overview},
        ),
        "table": ChoiceNode(
            render=_table,
            actions={
                "page": _turn_page,
                "overview": _to_overview,
                "order": _choose_order,
                **FILE_ACTIONS,
            },
        ),
    },
)
