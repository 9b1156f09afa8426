"""Drive the pure state machine the way a chat would, for unit tests of flows."""

from __future__ import annotations

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import Button, ButtonPress, Command, Event, Outcome, TextInput
from flows.conversation.state import UserState
from flows.dispatcher import machine
from flows.domain.context import Context

LOCALES = Locales.load(PROJECT_ROOT / "locales")


class Driver:
    def __init__(self, ctx: Context, state: UserState | None = None) -> None:
        self.ctx = ctx
        self.state = state or machine.start_state()
        self.outcome: Outcome | None = None

    def send(self, event: Event) -> Outcome:
        self.outcome = machine.handle(self.state, event, self.ctx)
        self.state = self.outcome.state
        return self.outcome

    def say(self, text: str) -> Outcome:
        return self.send(TextInput(text))

    def command(self, name: str) -> Outcome:
        return self.send(Command(name))

    def press(self, label_key: str) -> Outcome:
        """Press the button whose label is `label_key` in the latest replies."""
        return self.send(ButtonPress(self.button(label_key).data))

    def button(self, label_key: str) -> Button:
        matches = [b for b in self.buttons if b.label.key == label_key]
        assert len(matches) == 1, f"{label_key!r} not in {[b.label.key for b in self.buttons]}"
        return matches[0]

    @property
    def buttons(self) -> list[Button]:
        assert self.outcome is not None
        return [b for reply in self.outcome.replies for row in reply.buttons for b in row]

    @property
    def keys(self) -> list[str]:
        assert self.outcome is not None
        return [reply.text.key for reply in self.outcome.replies]

    @property
    def where(self) -> tuple[str, str]:
        return (self.state.position.step, self.state.position.node)


def adding_a_debt(ctx: Context) -> Driver:
    """A new chat at the first question of a new debt (its platform)."""
    bot = Driver(ctx)
    bot.command("start")
    bot.command("debts")
    bot.press("debts.add")
    return bot


def rendered(chat: Driver, locale: str = "zh-CN") -> dict[str, str]:
    """The latest replies as the user reads them, by locale key (repeated keys joined by lines)."""
    assert chat.outcome is not None
    catalog = LOCALES.get(locale)
    by_key: dict[str, str] = {}
    for reply in chat.outcome.replies:
        shown = catalog.render(reply.text)
        by_key[reply.text.key] = (
            f"{by_key[reply.text.key]}\n{shown}" if reply.text.key in by_key else shown
        )
    return by_key
