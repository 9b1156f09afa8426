"""The same conversation in a terminal: buttons are numbered, '#2' presses the second one."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import attachments
from bot.conversation import Conversation, Turn
from bot.locale import Catalog, to_plain
from bot.settings import Settings
from bot.telegram_app import open_conversation
from flows.conversation.core import Attachment, ButtonPress, Command, Event, TextInput
from flows.domain.texts import text

QUIT_WORDS = {"/quit", "/exit", "exit", "quit"}


def read_event(line: str, buttons: list[str]) -> Event | None:
    """A typed line as an event: '#N' presses button N, '/name' is a command, else text.

    None means '#N' named no button on screen.
    """
    stripped = line.strip()
    if stripped[:1] in {"#", "＃"} and stripped[1:].strip().isdigit():
        index = int(stripped[1:].strip()) - 1
        return ButtonPress(buttons[index]) if 0 <= index < len(buttons) else None
    if stripped.startswith("/") and len(stripped) > 1 and " " not in stripped.split()[0][1:]:
        name, _, argument = stripped[1:].partition(" ")
        return Command(name=name.lower(), argument=argument.strip())
    return TextInput(line)


class TerminalChat:
    def __init__(
        self,
        conversation: Conversation,
        user_id: int,
        out: TextIO,
        export_dir: Path,
    ) -> None:
        self.conversation = conversation
        self.user_id = user_id
        self.out = out
        self.export_dir = export_dir
        self.buttons: list[str] = []

    async def send(self, event: Event) -> None:
        turn = await self.conversation.handle(self.user_id, self.user_id, event)
        self.show(turn)

    def show(self, turn: Turn) -> None:
        self.buttons = []
        for reply in turn.replies:
            for part in reply.parts:
                self._print(to_plain(part))
            if reply.caption is not None:
                self._print(to_plain(reply.caption))
            if reply.attachment is not None:
                self._save(turn.catalog, reply.attachment)
            for row in reply.keyboard:
                labels = []
                for label, data in row:
                    self.buttons.append(data)
                    labels.append(f"[#{len(self.buttons)}] {label}")
                self._print("   ".join(labels))
            self._print("")

    def hint(self, catalog: Catalog, key: str, **values: str) -> None:
        self._print(to_plain(catalog.render(text(key, **values))))

    def _save(self, catalog: Catalog, attachment: Attachment) -> None:
        self.export_dir.mkdir(parents=True, exist_ok=True)
        target = self.export_dir / attachment.filename
        target.write_bytes(attachments.produce(attachment))
        self.hint(catalog, "terminal.file_saved", path=str(target))

    def _print(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()


async def run_terminal(
    settings: Settings,
    read_line: Callable[[], str] = input,
    out: TextIO = sys.stdout,
) -> None:
    conversation = await open_conversation(settings)
    catalog = conversation.locales.get(None)
    chat = TerminalChat(
        conversation, settings.terminal_user_id, out, settings.database_path.parent / "exports"
    )
    try:
        chat.hint(catalog, "terminal.banner")
        await chat.send(Command("start"))
        while True:
            try:
                line = await asyncio.to_thread(read_line)
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip().lower() in QUIT_WORDS:
                break
            event = read_event(line, chat.buttons)
            if event is None:
                chat.hint(catalog, "terminal.no_such_button", count=str(len(chat.buttons)))
                continue
            await chat.send(event)
        nothing_kept = await conversation.storage.load(settings.terminal_user_id) is None
        chat.hint(catalog, "terminal.bye_erased" if nothing_kept else "terminal.bye")
    finally:
        await conversation.storage.close()
