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


def on_the_debt_list(user: SimUser, prompt: SentMessage, turn: int) -> None:
    """Each lap: clear last lap's debt, add one, then go on to step 3 with it on the list."""
    if user.id in _ADDED:
        _ADDED.discard(user.id)
        user.presses(prompt, "下一步：算算每月能还多少")
    elif any(DEBT_NAME in label for label, _ in prompt.buttons):
        user.presses(prompt, DEBT_NAME)
    else:
        _ADDED.add(user.id)
        user.presses(prompt, "添加一笔债务")


def on_a_debt(user: SimUser, prompt: SentMessage, turn: int) -> None:
    """The debt just added goes back to the list; last lap's is deleted."""
    user.presses(prompt, "返回清单" if user.id in _ADDED else "删除这笔")


DEBT_NAME = "网贷"
_ADDED: set[int] = set()  # people who added their debt on this lap (the load is one process)

# The guide as a person walks it, then round again from the menu: step 1 (a script for
# customer service), step 2 (one debt, every field typed the way people type it, its legal
# check), step 3 (income, six kinds of spending, something to sell), step 4 (the plan and its
# chart), the menu. Rules are tried in order; the first marker found decides.
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
    Rule("删除这笔", on_a_debt),
    Rule("这笔钱是在哪个平台", say(DEBT_NAME + "{turn}")),
    Rule("出借方是哪一类", press("个人或无牌机构")),
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
    Rule("＋ 添加一笔债务", on_the_debt_list),
    # step 3
    Rule("开始填写", press("开始填写")),
    Rule("差不多固定吗", press("不固定")),
    Rule("每月收入大概多少元", say("4500")),
    Rule("房租或房贷", say("1200")),
    Rule("水电燃气", say("200")),
    Rule("吃饭和日用品", say("一千")),
    Rule("交通（通勤", say("150")),
    Rule("家人开支", say("0")),
    Rule("其他必须花的钱", press("跳过")),
    Rule("可以卖掉换钱", say("2000")),
    Rule("什么时候能卖掉", say("3个月后")),
    # step 4
    Rule("看还款计划", press("看还款计划")),
    # not built yet: back to the menu, and round again
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


# The peer (benchmarks/peer_bot.py) tags the skip button of a question to be typed with what
# it asks for; its other questions are answered by pressing one of their choices.
PEER_ANSWERS = {"platform": DEBT_NAME + "{turn}", "amount": "8500", "day": "15号"}


def peer_action(prompt: SentMessage | None) -> Callable[..., None]:
    if prompt is None:
        return say("/start")
    for _, data in prompt.buttons:
        if data.startswith("skip:"):
            return say(PEER_ANSWERS[data.removeprefix("skip:")])
    choices = [data for _, data in prompt.buttons if data.startswith("pick:")]
    if not choices:
        return say("/menu")

    def act(user: SimUser, shown: SentMessage, turn: int) -> None:
        user.presses_data(shown, choices[turn % len(choices)])

    return act
