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


# Steps 1–4 of the guide, as a person walks them; the last rule loops back to the start.
GUIDE_WALK: tuple[Rule, ...] = (
    Rule("开始第一步", press("开始第一步")),
    Rule("帮我写联系客服的话术", press("帮我写联系客服的话术")),
    Rule("给哪个平台", say("借呗{turn}")),
    Rule("逾期的主要原因", press("收入减少")),
    Rule("你想先向平台提出什么", press("申请重新分期")),
    Rule("给另一个平台再写一份", press("给另一个平台再写一份")),
)


def next_action(rules: tuple[Rule, ...], prompt: SentMessage | None) -> Callable[..., None]:
    if prompt is None:
        return say("/start")
    haystack = prompt.text + " ".join(label for label, _ in prompt.buttons)
    for rule in rules:
        if rule.marker in haystack:
            return rule.act
    return say("/menu")
