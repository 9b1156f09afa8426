"""Hypothesis stateful test over every form: random typed answers, presses of current and old
buttons, questions asked back, Back and Skip never raise, never leave a question asked back
bound to another question, and never store a value of the wrong type for its field."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot.conversation import AmbiguousLabel, typed_button
from flows.conversation import registry
from flows.conversation.core import Button, ButtonPress, Outcome, TextInput
from flows.conversation.form import CURSOR, PENDING
from flows.conversation.nodes import FormNode
from flows.conversation.state import Position, UserState
from flows.dispatcher import machine
from flows.domain.ledger import Debt
from tests.domain.test_typed_answers import CTX, LOCALES, ROWS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000")) // 10 or 1
TYPED = st.one_of(
    st.sampled_from(sorted({typed for _field, typed, _expected in ROWS})),
    st.sampled_from(["返回", "跳过", "abc", "0", "-1", "😭", "2025年3月", "一样", "固定"]),
    st.sampled_from(["same", "Skip", "Back", "about the same", "it varies", "100 a day"]),
    st.text(max_size=12),
)


def form_nodes() -> list[tuple[str, str]]:
    """Every node of every step that asks a form."""
    return sorted(
        (step_id, name)
        for step_id in (*registry.guide_order(), "budget", "debts")
        for name, node in registry.get(step_id).nodes.items()
        if isinstance(node, FormNode)
    )


FORMS = form_nodes()
DEBT = Debt(id=1, platform="借呗", borrowed=Decimal(20000), contract_date=date(2025, 11, 1))


class Forms(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = UserState(started=True, debts=(DEBT,), next_debt_id=2)
        self.buttons: list[Button] = []  # every button ever shown, newest last
        self.latest: list[Button] = []

    @initialize(where=st.sampled_from(FORMS), locale=st.sampled_from(["zh-CN", "en"]))
    def open_form(self, where: tuple[str, str], locale: str) -> None:
        step, node = where
        self.state = self.state.model_copy(update={"locale": locale})
        draft = {"debt": 1} if step == "debts" else {}
        moved = self.state.at(Position(step=step, node=node, draft=draft))
        self._apply(registry.node_at(moved.position).arrive(moved, CTX))

    @rule(typed=TYPED)
    def type_something(self, typed: str) -> None:
        catalog = LOCALES.get(self.state.locale)
        event = typed_button(self.state, TextInput(typed), catalog, CTX)
        if isinstance(event, AmbiguousLabel):
            self._apply(machine.current_prompt(self.state, CTX))
            return
        self._apply(machine.handle(self.state, event, CTX))

    @rule(index=st.integers(min_value=0, max_value=40))
    def press_a_current_button(self, index: int) -> None:
        if self.latest:
            self._press(self.latest[index % len(self.latest)])

    @rule(index=st.integers(min_value=0, max_value=400))
    def press_an_old_button(self, index: int) -> None:
        if self.buttons:
            self._press(self.buttons[index % len(self.buttons)])

    @rule(data=st.sampled_from(["0|o0", "1|o1", "2|o0", "back", "9|same", "x"]))
    def press_a_forged_button(self, data: str) -> None:
        self._apply(machine.handle(self.state, ButtonPress(data), CTX))

    def _press(self, button: Button) -> None:
        self._apply(machine.handle(self.state, ButtonPress(button.data), CTX))

    def _apply(self, outcome: Outcome) -> None:
        self.state = outcome.state
        catalog = LOCALES.get(self.state.locale)
        for reply in outcome.replies:
            catalog.render(reply.text)  # every key and placeholder exists
        self.latest = [b for reply in outcome.replies for row in reply.buttons for b in row]
        self.buttons = [*self.buttons, *self.latest][-200:]

    @invariant()
    def every_answer_is_of_its_fields_type(self) -> None:
        node = registry.node_at(self.state.position)
        if not isinstance(node, FormNode):
            return
        draft = self.state.position.draft
        for field in node.form.fields:
            value: Any = draft.get(field.name)
            if value is not None:
                assert field.accepts(draft, value), (field.name, value)
        pending = draft.get(PENDING)
        if pending:
            assert pending["field"] == draft.get(CURSOR)

    @invariant()
    def saved_data_is_well_typed(self) -> None:
        for debt in self.state.debts:
            Debt.model_validate(debt.model_dump())
            for amount in (debt.borrowed, debt.received, debt.remaining_principal):
                assert amount is None or isinstance(amount, Decimal)
        if self.state.budget is not None:
            assert isinstance(self.state.budget.income, Decimal)
            assert isinstance(self.state.budget.essentials, Decimal)


Forms.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestEveryForm = Forms.TestCase


def test_every_form_is_reached_by_the_fuzz():
    assert ("debts", "add") in FORMS and ("budget", "form") in FORMS
    assert len(FORMS) >= 15
