"""The conversation core alone: `Conversation.handle` (flows, storage, rendering) walking the
same guide as the conversation benchmark, in this process, with no Telegram at all (so without
drawing the plan chart, which the Telegram shell does when it sends it).

Its CPU per turn, against the bot's CPU per update, splits what limits the conversation
figure into our own turn and everything around it (HTTP, python-telegram-bot, the shell).
"""

from __future__ import annotations

import asyncio
import cProfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.conversation import costs_by_package, top_costs
from benchmarks.figures import Figure
from benchmarks.processes import OUT
from benchmarks.scenarios import GUIDE_WALK, next_action
from bot.render import RenderedReply
from bot.settings import Settings
from bot.telegram_app import open_conversation
from flows.conversation.core import ButtonPress, Command, Event, TextInput

LAP = 45  # about the turns in one lap of GUIDE_WALK


@dataclass
class Prompt:
    """The last reply with buttons, shaped like the stand-in's SentMessage for the rules."""

    text: str
    buttons: list[tuple[str, str]]

    @classmethod
    def of(cls, reply: RenderedReply) -> Prompt:
        text = reply.caption or (reply.parts[-1] if reply.parts else "")
        return cls(text, [button for row in reply.keyboard for button in row])


@dataclass
class Person:
    """Shaped like the stand-in's SimUser for the rules: what they did becomes `event`."""

    id: int
    event: Event | None = None
    prompt: Prompt | None = field(default=None)

    def says(self, text: str) -> None:
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            self.event = Command(name=name, argument=argument)
        else:
            self.event = TextInput(text)

    def presses(self, prompt: Prompt, label: str) -> None:
        [data] = [data for shown, data in prompt.buttons if label in shown]
        self.event = ButtonPress(data)


async def walk(people: int, laps: int, profile_file: Path | None = None) -> tuple[int, float]:
    """Every person walks `laps` laps; returns the turns taken and the CPU seconds used."""
    database = OUT / "core.sqlite3"
    OUT.mkdir(parents=True, exist_ok=True)
    for leftover in OUT.glob(f"{database.name}*"):
        leftover.unlink()
    conversation = await open_conversation(Settings(_env_file=None, database_path=database))
    walkers = [Person(200_000 + number) for number in range(people)]
    profiler = cProfile.Profile() if profile_file else None
    update_id = 0
    started = time.process_time()
    if profiler:
        profiler.enable()
    try:
        for turn in range(LAP * laps):
            for person in walkers:
                next_action(GUIDE_WALK, person.prompt)(person, person.prompt, turn)  # type: ignore[arg-type]
                update_id += 1
                assert person.event is not None
                result = await conversation.handle(person.id, person.id, person.event, update_id)
                prompts = [reply for reply in result.replies if reply.keyboard]
                person.prompt = Prompt.of(prompts[-1]) if prompts else person.prompt
    finally:
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started
        await conversation.storage.close()
    if profiler and profile_file:
        profiler.dump_stats(profile_file)
    return update_id, cpu


def figures(full: bool = False) -> list[Figure]:
    people, laps = (200, 3) if full else (50, 2)
    turns, cpu = asyncio.run(walk(people, laps))
    profile_file = OUT / "core.prof"
    asyncio.run(walk(people, 1, profile_file))
    return [
        Figure(
            "conversation",
            "our turn alone (flows + storage + render): CPU per turn",
            round(cpu / turns * 1000, 3),
            "ms",
            limits=(
                "by package (cProfile): " + ", ".join(costs_by_package(profile_file)),
                "top functions (own time): " + ", ".join(top_costs(profile_file)),
            ),
            note=(
                f"{people} people walking the same guide through Conversation.handle in one"
                f" process, {turns:,} turns, no Telegram; both threads' CPU"
            ),
        )
    ]
