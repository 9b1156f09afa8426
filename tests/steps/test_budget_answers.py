"""The budget form as people answer it: an irregular income typed as a range."""

from __future__ import annotations

from flows.domain.context import Context
from tests.driver import Driver


def test_an_irregular_income_typed_as_a_range_is_offered_its_low_end(ctx: Context) -> None:
    # 3000 to 6000 (a market stall) was refused with "please write one number".
    chat = Driver(ctx)
    chat.command("start")
    chat.command("budget")
    chat.press("budget.start")
    chat.press("budget.income_kind.irregular")
    chat.say("3000\u5230" + "6000")
    assert chat.keys[-1] == "budget.ask.income_range"
    chat.press("budget.income_range_low")
    assert chat.state.position.draft["income"] == "3000.00"
    assert chat.keys[-1] == "budget.ask.rent"
