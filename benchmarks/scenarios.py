"""What a simulated person does next, given the last message the bot sent them.

Each rule matches the bot's latest prompt (the message carrying buttons) and answers it the
way a real user would: typing where the bot asks to type, pressing buttons elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.standin_api import SentMessage, SimUser

Act = Callable[[SimUser, SentMessage, int], None]


@dataclass(frozen=True)
class Rule:
    """When `marker` is in the prompt's text or buttons, `act`."""

    marker: str
    act: Act


def press(label: str) -> Act:
    def act(user: SimUser, prompt: SentMessage, turn: int) -> None:
        user.presses(prompt, label)

    return act


def say(template: str) -> Act:
    def act(user: SimUser, prompt: SentMessage, turn: int) -> None:
        user.says(template.format(turn=turn))

    return act


def add_a_debt_or_move_on(user: SimUser, prompt: SentMessage, turn: int) -> None:
    """On the (empty) debt list: add a debt; back here after deleting it, go on to step 3."""
    if user.id in _ADDED:
        _ADDED.discard(user.id)
        user.presses(prompt, "下一步：算算每月能还多少")
    else:
        _ADDED.add(user.id)
        user.presses(prompt, "添加一笔债务")


_ADDED: set[int] = set()  # people who added the debt on this lap (the load is one process)

# The guide as far as it is built, as a person walks it, then round again from the menu:
# step 1 (a script for customer service), step 2 (one debt with every field typed the way
# people type them, its legal check, then deleted so the next lap adds it again), step 3's
# placeholder, the menu. Rules are tried in order; the first marker found decides.
GUIDE_WALK: tuple[Rule, ...] = (
    # step 1
    Rule("开始第一步", press("开始第一步")),
    Rule("帮我写联系客服的话术", press("帮我写联系客服的话术")),
    Rule("给哪个平台", say("借呗{turn}")),
    Rule("逾期的主要原因", press("收入减少")),
    Rule("你想先向平台提出什么", press("申请重新分期")),
    Rule("下一步：列出我的债务", press("下一步：列出我的债务")),
    # step 2
    Rule("确定删除", press("确认删除")),
    Rule("删除这笔", press("删除这笔")),
    Rule("这笔钱是在哪个平台", say("网贷{turn}")),
    Rule("出借方是哪一类", press("个人、无牌机构")),
    Rule("合同成立的日子", say("2023-09-01")),
    Rule("合同上借了多少钱", say("1万")),
    Rule("实际到手多少钱", say("8500")),
    Rule("现在还欠多少本金", say("八千")),
    Rule("利率是多少", press("跳过")),
    Rule("每期要还多少钱", say("1000")),
    Rule("一共分几期", say("12期")),
    Rule("罚息或费用怎么算", say("罚息日万五")),
    Rule("每月几号还款", say("15号")),
    Rule("现在逾期多少天了", say("30天")),
    Rule("一共要还多少", say("9000")),
    Rule("＋ 添加一笔债务", add_a_debt_or_move_on),
    # step 3 is not built yet: back to the menu, and round again
    Rule("这一步还在准备中", press("主菜单")),
    Rule("按顺序走最稳妥", press("1. 先别失联")),
)


def next_action(rules: tuple[Rule, ...], prompt: SentMessage | None) -> Callable[..., None]:
    if prompt is None:
        return say("/start")
    haystack = prompt.text + " ".join(label for label, _ in prompt.buttons)
    for rule in rules:
        if rule.marker in haystack:
            return rule.act
    return say("/menu")
