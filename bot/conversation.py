"""One turn of the conversation for one user: load state, decide, save, render.

Shared by the Telegram adapter and the terminal, so both behave exactly alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import export, outbox
from bot.locale import Catalog, Locales, to_plain
from bot.render import RenderedReply, render
from bot.settings import Settings
from bot.storage.interface import StorageError, Store
from bot.storage.sqlite import AlreadyApplied, TurnCommit
from flows.conversation import crisis
from flows.conversation.core import (
    ERASE_USER,
    EXPORT_USER,
    Button,
    ButtonPress,
    Event,
    Outcome,
    Reply,
    TextInput,
)
from flows.conversation.state import UserState
from flows.dispatcher import machine
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.parsing.numerals import normalise
from flows.domain.texts import text
from flows.steps.language import locale_for

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Turn:
    """What one event produced, ready for a chat: rendered replies and the button verdict."""

    replies: tuple[RenderedReply, ...]
    catalog: Catalog
    button_ok: bool | None = None
    saved: bool = True  # False: nothing was committed (the replies are an apology)
    # The replies as committed to the outbox (outbox=True): each message with its row id.
    committed: tuple[tuple[int, outbox.OutgoingMessage], ...] = ()


@dataclass
class Conversation:
    storage: Store
    locales: Locales
    facts: Facts
    settings: Settings
    clock: Callable[[], datetime] = field(default=utc_now)
    # Several receivers (webhooks on PostgreSQL) may store a user's updates out of order: then
    # the inbox row (commit_turn) alone says whether an update was applied, and an older update
    # arriving late is handled, not taken for one already applied (bot/workers.py).
    inbox_decides: bool = False

    async def handle(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        update_id: int | None = None,
        language_code: str | None = None,
        *,
        outbox: bool = False,
    ) -> Turn:
        """One event of one user. `update_id` (Telegram's) makes a re-delivered update, after a
        crash between saving and acknowledging it, show the current question again instead of
        being applied a second time; its inbox row is marked done with the turn.
        `language_code` (the Telegram client's) sets a new user's locale; later only /language
        changes it. `outbox`: the rendered replies are committed with the turn, for
        bot/delivery.py to send."""
        stored = await self.storage.load(user_id)
        state = stored.state if stored else self._new_state(language_code)
        catalog = self.locales.get(state.locale)
        if (
            stored
            and update_id is not None
            and update_id <= stored.last_update_id
            and not self.inbox_decides
        ):
            log.info(
                "user %d: update %d already applied, showing where they are", user_id, update_id
            )
            turn = self._turn(machine.current_prompt(state, self._context(state)))
            return await self._commit(TurnCommit(user_id, chat_id, None, update_id), turn, outbox)
        ctx = self._context(state)
        if isinstance(event, TextInput):
            event = self._typed_button(state, event, catalog, ctx)
        try:
            if isinstance(event, AmbiguousLabel):
                hint = Reply(text("common.which_button", typed=event.typed))
                outcome = machine.current_prompt(state, ctx)
                outcome = replace(outcome, replies=(hint, *outcome.replies))
            else:
                outcome = machine.handle(state, event, ctx)
        except Exception:
            log.exception("user %d: the conversation core failed", user_id)
            return self._apology(catalog, "common.error", saved=False)
        erase = outcome.effect == ERASE_USER
        changed = stored is None or outcome.state != state or stored.chat_id != chat_id
        new_state = outcome.state if changed and not erase else None
        if outcome.effect == EXPORT_USER:
            if stored is None:
                new_state = None  # exporting nothing creates no user
            try:
                outcome = await self._with_export(user_id, outcome)
            except StorageError:
                log.exception("user %d: could not read the export", user_id)
                return self._apology(catalog, "common.save_failed", saved=False)
        commit = TurnCommit(user_id, chat_id, new_state, update_id, erase=erase, now=self.clock())
        turn = await self._commit(commit, self._turn(outcome), outbox)
        if erase and turn.saved:
            log.info("user %d: all data erased on request", user_id)
        return turn

    async def _commit(self, commit: TurnCommit, turn: Turn, outbox_replies: bool) -> Turn:
        """Write the turn (state, inbox row, replies into the outbox) in one transaction."""
        messages = outbox.messages_of(turn.replies) if outbox_replies else []
        if outbox_replies:
            commit = replace(commit, messages=tuple(outbox.dumps(m) for m in messages))
        elif commit.state is None and commit.update_id is None and not commit.erase:
            return turn  # nothing to write
        try:
            ids = await self.storage.commit_turn(commit)
        except AlreadyApplied:
            log.info("user %d: update already handled, not applied twice", commit.user_id)
            return Turn(replies=(), catalog=turn.catalog, button_ok=None)
        except StorageError:
            log.exception("user %d: could not save state", commit.user_id)
            return self._apology(turn.catalog, "common.save_failed", saved=False)
        if not messages:
            return turn
        return replace(turn, committed=tuple(zip(ids, messages, strict=True)))

    async def _with_export(self, user_id: int, outcome: Outcome) -> Outcome:
        """Fill the export attachments flows placed with every stored row of the user."""
        rows = await self.storage.export_user(user_id)
        catalog = self.locales.get(outcome.state.locale)
        contents = {"export_json": export.as_json(rows), "export_csv": export.as_csv(rows, catalog)}
        replies = tuple(
            replace(
                reply,
                attachment=replace(attachment, payload={"content": contents[attachment.kind]}),
            )
            if (attachment := reply.attachment) is not None and attachment.kind in contents
            else reply
            for reply in outcome.replies
        )
        return replace(outcome, replies=replies)

    def _typed_button(
        self, state: UserState, typed: TextInput, catalog: Catalog, ctx: Context
    ) -> Event | AmbiguousLabel:
        return typed_button(state, typed, catalog, ctx)

    def crisis_reply(self, event: Event) -> RenderedReply | None:
        """The hotline reply for words of crisis, reading and saving no state: for a message
        that cannot take a turn (beyond a flooding user's queue, in a group chat)."""
        ctx = Context(now=self.clock(), facts=self.facts, settings=self.settings)
        outcome = crisis.first(self._new_state(), event, ctx)
        if outcome is None:
            return None
        return render(self.locales.get(None), outcome.replies[0])

    def _new_state(self, language_code: str | None = None) -> UserState:
        locale = self.settings.default_locale
        if language_code:
            locale = locale_for(language_code, locale)
        return machine.start_state(locale, self.settings.default_timezone)

    def _context(self, state: UserState) -> Context:
        now = self.clock().astimezone(ZoneInfo(state.timezone))
        return Context(now=now, facts=self.facts, settings=self.settings)

    def _turn(self, outcome: Outcome) -> Turn:
        catalog = self.locales.get(outcome.state.locale)
        replies = tuple(render(catalog, reply) for reply in outcome.replies)
        return Turn(replies=replies, catalog=catalog, button_ok=outcome.button_ok)

    def _apology(self, catalog: Catalog, key: str, *, saved: bool) -> Turn:
        return Turn(replies=(apology(catalog, key),), catalog=catalog, button_ok=False, saved=saved)


# Button labels are short; a longer text is an answer, not a button.
MAX_LABEL_LENGTH = 40
# A typed part of a label presses it from this many characters (不固定, 联系过了); a reworded
# label (已经联系了 for 我已经联系过了) from this many, in order, covering half the label.
MIN_PART = 2
MIN_REWORDED = 3


@dataclass(frozen=True, slots=True)
class AmbiguousLabel:
    """Typed text that is part of several buttons' labels: the buttons are shown again."""

    typed: str


AMBIGUOUS = "\x00ambiguous"


def match_label(wanted: str, labels: dict[str, str]) -> str | None:
    """The button data whose label `wanted` names: the whole label, else the only label it is
    part of, else the only label it rewords (its characters in order). AMBIGUOUS when several
    labels fit equally; None when none does."""
    exact = [data for data, label in labels.items() if label == wanted]
    if exact:
        return exact[0]
    if len(wanted) >= MIN_PART:
        parts = [data for data, label in labels.items() if _names_part(wanted, label)]
        if parts:
            return parts[0] if len(parts) == 1 else AMBIGUOUS
    if len(wanted) >= MIN_REWORDED:
        reworded = [
            data
            for data, label in labels.items()
            if _in_order(wanted, label) and 2 * len(wanted) >= len(label)
        ]
        if reworded:
            return reworded[0] if len(reworded) == 1 else AMBIGUOUS
    return None


# A typed word that a label negates (逾期 in 没逾期, 固定 in 不固定, overdue in "not overdue")
# says the opposite of that label: never a press of it.
_NEGATIONS = (
    "\u6ca1\u6709",
    "\u6ca1",
    "\u4e0d",
    "\u672a",
    "\u65e0",
    "\u975e",
    "\u522b",
    "not",
    "no",
    "non",
    "un",
)


def _names_part(wanted: str, label: str) -> bool:
    start = label.find(wanted)
    while start != -1:
        if not label[:start].endswith(_NEGATIONS):
            return True
        start = label.find(wanted, start + 1)
    return False


def _in_order(wanted: str, label: str) -> bool:
    rest = iter(label)
    return all(ch in rest for ch in wanted)


_NUMBERING = re.compile(r"^\d{1,2}\s*[.\u3001)]\s*")  # "2. " before a menu entry


def _label_key(label: str) -> str:
    """A label as compared with what was typed: width and case folded, spaces and the
    decorations around it (icons such as a check mark or an arrow, punctuation) dropped."""
    kept = _NUMBERING.sub("", normalise(label))
    start, end = 0, len(kept)
    while start < end and not kept[start].isalnum():
        start += 1
    while end > start and not kept[end - 1].isalnum():
        end -= 1
    return kept[start:end]


def typed_button(
    state: UserState, typed: TextInput, catalog: Catalog, ctx: Context
) -> Event | AmbiguousLabel:
    """Typing a button's label (people do, on a phone) means pressing that button of the
    question they are on; part of a label, or a rewording, when only one button fits. Labels
    are in the user's language, so this is the shell's job."""
    if crisis.is_crisis(typed.text, crisis.facts_of(ctx)):
        return typed  # words of crisis are never taken for a button: flows answers them first
    wanted = _label_key(typed.text)
    # Every label has a word in it; plain numbers (most answers) need no prompt rendered.
    if len(typed.text) > MAX_LABEL_LENGTH or not any(ch.isalpha() for ch in wanted):
        return typed
    try:
        prompt = machine.current_prompt(state, ctx)
    except Exception:
        log.exception("could not render the current prompt to match a typed label")
        return typed
    labels = {
        button.data: _label_key(to_plain(catalog.render(button.label)))
        for reply in prompt.replies
        for row in reply.buttons
        for button in row
    }
    match = match_label(wanted, labels)
    if match is AMBIGUOUS:
        return AmbiguousLabel(typed.text.strip()[:MAX_LABEL_LENGTH])
    return typed if match is None else ButtonPress(match)


def apology(catalog: Catalog, key: str) -> RenderedReply:
    """A kind word that something failed, with the way back to the menu."""
    return render(catalog, Reply(text(key), ((Button(text("nav.menu"), "n:menu"),),)))
