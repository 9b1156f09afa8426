"""The reminder pass: find the reminders whose time has come, claim, send, log — exactly once.

The schedule lives in the database (table `reminders`, rebuilt from the user's state on every
save, bot/storage/); a pass reads only the due rows through the fire_at index. The JobQueue runs a
pass every minute in the Telegram app; `python -m bot remind --now <ISO time> [--dry-run]` runs
one pass from the command line (cron, or to check what would be sent).

Order, decided: **claim, then send, then log.**

1. Claim: insert the reminder into the sent-log, whose UNIQUE key (user, debt, due date, lead)
   lets exactly one pass win; a pass run twice, or the JobQueue and a cron pass at once, send it
   once. All of one user's due reminders are claimed first (those to skip are logged `skipped`
   right away, as are those given up after MAX_ATTEMPTS).
2. Send ONE message for all the user's claimed reminders: a single reminder looks as it always
   did; several are one combined message (flows.reminders.combined_message, a Paid button per
   debt), so three debts due the same day ring once, not three times. More than
   flows.reminders.MAX_PER_MESSAGE are spread evenly over as few messages as fit (< 4096
   characters each). Sent through the bot with `rate_limit_args=BROADCAST`: the bulk limiter
   keeps all reminders together within ~30 messages/s and waits out a 429 (`retry_after`), then
   retries.
3. Log the outcome of that one send for every reminder in the message and take each off the
   schedule (one transaction per reminder).

Failures apply to the whole message, i.e. to every reminder in it: a transient error (network,
time-out, 429 beyond the limiter's retries) releases the claims and a pass a minute later
retries (at most MAX_ATTEMPTS sends per reminder); Forbidden (the user blocked the bot) marks
the user inactive, logs `blocked` and is never retried; BadRequest logs `failed`. The report
counts reminders (a combined message of three: sent=3) and, in `messages`, Telegram messages.

A crash: every claim carries a lease. If the process dies between claim and log, the claims
stay `claimed` and, once their lease (LEASE) has run out, a later pass takes them over and sends
them — nothing is lost. If the crash came after Telegram had accepted a message but before all
of its reminders were logged, the ones not yet logged arrive a second time, together in one
message: at most one duplicate message per crash, and only for the messages in flight at that
moment (tests/bot/test_reminders_pass.py proves both).

Catching up: after downtime every owed reminder still goes out once, those more than
flows.reminders.LATE_AFTER behind their time saying they are late; of several leads of one due
date that are all due, only the latest is sent (the others are logged `skipped`), and a lead
reminder whose due day has already ended is skipped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TextIO

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.locale import Locales, to_plain
from bot.render import RenderedReply, render
from bot.storage.interface import DueReminder, Store
from flows.conversation import crisis
from flows.conversation.reminders import (
    Item,
    Part,
    Scheduled,
    combined_message,
    expired,
    is_late,
    is_paid,
    message_groups,
    reminded,
    reminder_message,
    superseded,
    zone_of,
)
from flows.conversation.state import UserState
from flows.domain.context import Context

log = logging.getLogger(__name__)

# A claim older than this is taken over by a later pass (the process that made it died). It
# must outlast one send, 429 waits included; within one process passes never overlap (the
# JobQueue runs one at a time), so only a concurrent cron pass could take over a slow send.
LEASE = timedelta(minutes=10)
# After a transient failure the reminder is tried again by the first pass this much later.
RETRY_DELAY = timedelta(minutes=1)
MAX_ATTEMPTS = 5
BATCH = 500
# Sends in flight at once; the limiter, not this, holds the rate to ~30/s.
CONCURRENT_SENDS = 32
DRY_RUN_LIMIT = 100_000

# A reminder's identity: user, debt, due date, lead (DueReminder.key).
Key = tuple[int, int, str, int]

# Sends one rendered reply to a chat; raises telegram.error exceptions.
Sender = Callable[[int, RenderedReply], Awaitable[None]]


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # paid, superseded by a later lead, expired, debt gone
    BLOCKED = "blocked"  # Forbidden: the user blocked the bot
    FAILED = "failed"  # refused by Telegram, or given up after MAX_ATTEMPTS


@dataclass
class PassReport:
    """What one pass did, in numbers (and in a dry run, what it would have sent)."""

    due: int = 0
    sent: int = 0
    late: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    retry_later: int = 0
    claimed_elsewhere: int = 0
    # Telegram messages sent (or, in a dry run, that would be): several reminders of one user
    # due in the same pass share one; the counters above count reminders.
    messages: int = 0
    would_send: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = asdict(self)
        counts.pop("would_send")
        return counts


@dataclass
class ReminderPass:
    """One pass at `now`. `send` is None only in a dry run."""

    now: datetime
    storage: Store
    locales: Locales
    send: Sender | None
    facts: Any = None
    settings: Any = None
    dry_run: bool = False
    report: PassReport = field(default_factory=PassReport)

    @property
    def stale_before(self) -> datetime:
        return self.now - LEASE

    async def run(self) -> PassReport:
        seen: set[Key] = set()
        limit = DRY_RUN_LIMIT if self.dry_run else BATCH
        while True:
            batch = await self.storage.due_reminders(self.now, self.stale_before, limit)
            fresh = [due for due in batch if due.key not in seen]
            if not fresh:
                break
            seen.update(due.key for due in fresh)
            self.report.due += len(fresh)
            await self._deliver(fresh)
            if self.dry_run or len(batch) < limit:
                break
        return self.report

    async def _deliver(self, batch: list[DueReminder]) -> None:
        by_user: dict[int, list[DueReminder]] = defaultdict(list)
        for due in batch:
            by_user[due.user_id].append(due)
        gate = asyncio.Semaphore(CONCURRENT_SENDS)

        async def one_user(user_id: int, dues: list[DueReminder]) -> None:
            async with gate:
                try:
                    await self._user(user_id, dues)
                except Exception:
                    # One user's trouble must not stop everyone else's reminders.
                    log.exception("reminders for user %d failed", user_id)

        await asyncio.gather(*(one_user(u, d) for u, d in by_user.items()))

    async def _user(self, user_id: int, dues: list[DueReminder]) -> None:
        stored = await self.storage.load(user_id)
        if stored is None or not stored.active:
            return
        rows = [due.row for due in dues]
        ordered = sorted(dues, key=lambda d: (d.row.fire_at, d.row.debt_id))
        reasons = {
            due.key: skip_reason(stored.state, due, rows, self.now, self.facts) for due in ordered
        }
        if self.dry_run:
            self._note(stored.state, ordered, reasons)
            return
        claimed = [due for due in ordered if await self._claim(due, reasons[due.key])]
        messages = in_messages(claimed)
        for number, (group, part) in enumerate(messages, start=1):
            if not await self._send(stored.state, stored.chat_id, group, part):
                # Blocked: nothing more goes to this user; what was claimed for them is done.
                for rest, _part in messages[number:]:
                    for due in rest:
                        await self._finish(due, Outcome.BLOCKED)
                break
        await self.storage.reschedule(user_id, self.now)

    async def _claim(self, due: DueReminder, reason: str | None) -> bool:
        """Claim one reminder; True when it is this pass's to send. One claimed elsewhere is left
        to that pass; one skipped or given up is logged here."""
        attempt = await self.storage.claim_reminder(due, self.now, self.stale_before)
        if attempt is None:
            self.report.claimed_elsewhere += 1
            return False
        if reason is not None:
            await self._finish(due, Outcome.SKIPPED)
            return False
        if attempt > MAX_ATTEMPTS:
            log.warning("user %d: reminder given up after %d attempts", due.user_id, attempt - 1)
            await self._finish(due, Outcome.FAILED)
            return False
        return True

    async def _send(
        self, state: UserState, chat_id: int, group: list[DueReminder], part: Part
    ) -> bool:
        """Send one message for the claimed reminders of `group` and log each with its outcome.
        False when the user turned out to have blocked us."""
        user_id = group[0].user_id
        assert self.send is not None
        try:
            await self.send(chat_id, self._rendered(state, group, part))
        except Forbidden:
            log.info("user %d blocked the bot; marked inactive", user_id)
            await self.storage.mark_inactive(user_id)
            for due in group:
                await self._finish(due, Outcome.BLOCKED)
            return False
        except BadRequest as error:
            log.warning("user %d: reminder refused: %s", user_id, error.message)
            for due in group:
                await self._finish(due, Outcome.FAILED)
            return True
        except TelegramError as error:
            log.info(
                "user %d: reminder not sent (%s), retried later", user_id, type(error).__name__
            )
            for due in group:
                await self.storage.release_reminder(due, self.now + RETRY_DELAY - LEASE)
            self.report.retry_later += len(group)
            return True
        self.report.messages += 1
        for due in group:
            if is_late(due.row, self.now):
                self.report.late += 1
            await self._finish(due, Outcome.SENT)
        return True

    async def _finish(self, due: DueReminder, outcome: Outcome) -> None:
        await self.storage.finish_reminder(due, outcome, self.now)
        counter = outcome.value
        setattr(self.report, counter, getattr(self.report, counter) + 1)

    def _rendered(
        self, state: UserState, group: list[DueReminder], part: Part | None = None
    ) -> RenderedReply:
        """One reminder as it always looked; several as one combined message."""
        ctx = Context(
            now=self.now.astimezone(zone_of(state)), facts=self.facts, settings=self.settings
        )
        items: list[Item] = []
        for due in group:
            debt = state.own_debt(due.row.debt_id)
            assert debt is not None
            items.append((debt, due.row))
        if len(items) == 1:
            message = reminder_message(state, *items[0], self.now, ctx)
        else:
            message = combined_message(state, items, self.now, ctx, part)
        return render(self.locales.get(state.locale), message)

    def _note(
        self, state: UserState, ordered: list[DueReminder], reasons: dict[Key, str | None]
    ) -> None:
        """Dry run: one entry per reminder (skipped or not); a reminder sent alone carries its
        text, and each combined message follows the user's reminders as one entry of its own."""
        entries = {due.key: self._entry(due, reasons[due.key]) for due in ordered}
        self.report.would_send.extend(entries.values())
        to_send = [due for due in ordered if reasons[due.key] is None]
        self.report.sent += len(to_send)
        self.report.skipped += len(ordered) - len(to_send)
        for group, part in in_messages(to_send):
            rendered = self._rendered(state, group, part)
            message = "\n".join(to_plain(p) for p in rendered.parts)
            self.report.messages += 1
            if len(group) == 1:
                entries[group[0].key]["text"] = message
                continue
            self.report.would_send.append(
                {
                    "user_id": group[0].user_id,
                    "message": [[due.row.debt_id, due.row.due_date.isoformat()] for due in group],
                    "text": message,
                }
            )

    def _entry(self, due: DueReminder, reason: str | None) -> dict[str, Any]:
        return {
            "user_id": due.user_id,
            "debt_id": due.row.debt_id,
            "due_date": due.row.due_date.isoformat(),
            "lead": due.row.lead,
            "fire_at": due.row.fire_at.isoformat(),
            "late": is_late(due.row, self.now),
            "skip": reason,
        }


def in_messages(dues: list[DueReminder]) -> list[tuple[list[DueReminder], Part]]:
    """One user's reminders of a pass as the messages they go out in, each with its place."""
    groups = message_groups(dues)
    return [(group, Part(n, len(groups), len(dues))) for n, group in enumerate(groups, start=1)]


def skip_reason(
    state: UserState,
    due: DueReminder,
    due_rows: list[Scheduled],
    now: datetime,
    facts: Any = None,
) -> str | None:
    """Why this due reminder is not sent (None: send it)."""
    row = due.row
    debt = state.own_debt(row.debt_id)
    if debt is None or not reminded(debt):
        return "debt_gone_or_off"
    if not row.snoozed and crisis.reminders_held(state, now, getattr(facts, "crisis", None)):
        # A few quiet days after a crisis reply; a snooze is a reminder the user asked for.
        return "crisis_hold"
    if is_paid(state, row.debt_id, row.due_date):
        return "paid"
    if expired(state, row, now):
        return "expired"
    if superseded(row, due_rows):
        return "superseded"
    return None


async def run_pass(
    now: datetime,
    storage: Store,
    locales: Locales,
    send: Sender | None,
    *,
    facts: Any = None,
    settings: Any = None,
    dry_run: bool = False,
) -> PassReport:
    """One scan at `now` (aware): every due reminder claimed, sent and logged once."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if send is None and not dry_run:
        raise ValueError("a pass that sends needs a sender")
    report = await ReminderPass(
        now.astimezone(UTC), storage, locales, send, facts, settings, dry_run
    ).run()
    if report.due:
        log.info("reminder pass: %s", json.dumps(report.summary()))
    return report


def print_report(report: PassReport, out: TextIO = sys.stdout, dry_run: bool = False) -> None:
    """The pass as JSON lines: in a dry run one line per reminder, then the totals."""
    if dry_run:
        for entry in report.would_send:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    out.write(json.dumps({"dry_run": dry_run, **report.summary()}) + "\n")
