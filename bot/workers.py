"""Several processes on one PostgreSQL: any number of workers drain the inbox, one user at a
time per user; one of them, chosen through the database, sends the reminders.

A receiver (polling or webhook, bot/inbox.py) only stores each update in the inbox and wakes the
workers (NOTIFY on the channel of the user's inbox bucket). Each user is preferred for one of the
live workers (listed from the database every second): only that worker listens to the user's
bucket and claims them, unless the user has waited a grace (then the next worker, later any).
A worker looks for its users with pending updates, oldest first, and takes a user with a
session advisory lock on a connection of its own (`pg_try_advisory_lock`): while it holds it,
no other process handles that user, so the user's updates are handled one by one in
update_id order; other users go to other slots and other processes in parallel. The lock dies
with the worker's connection: a worker killed mid-turn leaves its update pending (its turn did
not commit) and the next worker takes the user over. A turn commits its inbox row with its state
(commit_turn), so even a takeover racing a slow worker applies an update once (AlreadyApplied).

The inbox, not `users.last_update_id`, says whether an update was applied: with several webhook
receivers an older update can be stored after a newer one was handled, and it is still handled
(Conversation.inbox_decides).

The reminder passes run in the process holding the leader lock (`Leader`); the ~30 messages/s
bulk limiter is per process, so one sender keeps the whole bot within it. When the leader dies
its lock goes with its connection and the next pass of another process takes over, one bulk
period after taking the lock (TAKEOVER_SECONDS): its limiter starts full, and its first second
must not overlap the dead leader's last one. A leader whose lock connection breaks stops its
pass (`while_leading`) and, taking the lock back, waits like any successor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from telegram.error import NetworkError
from telegram.ext import Application

from bot.delivery import outbox_seen_empty, release_deletes
from bot.limiter import BULK_PERIOD_SECONDS
from bot.storage.postgres import (
    INBOX_BUCKET_SQL,
    INBOX_BUCKETS,
    FloodNotice,
    PgStorage,
    Taken,
    hold_connection,
    inbox_bucket,
    inbox_channel,
    keep_session,
    user_lock_key,
    watch_client,
)
from bot.updates import RawUpdate

if TYPE_CHECKING:
    from bot.conversation import Conversation
    from bot.delivery import Delivery
    from bot.reminders import Sender
    from bot.render import RenderedReply
    from bot.settings import Settings

log = logging.getLogger(__name__)

# pg_try_advisory_lock(space, key): one space for users, one for the leader and the poller.
USER_LOCKS = 0x7975
LEADER_LOCK = (0x7976, 1)
POLLER_LOCK = (0x7976, 2)
# A process that takes the leader lock sends its first bulk message this long after: each
# process's bulk limiter starts with a full bucket (a period's worth at once), so the last
# period of the leader it succeeds and its own first one must not overlap (two full buckets
# within one period were up to twice the bulk rate).
TAKEOVER_SECONDS = BULK_PERIOD_SECONDS
# A standby receiver asks for the polling lease this often; the holder checks it keeps it.
STANDBY_SECONDS = 1.0
LEASE_CHECK_SECONDS = 5.0
# A worker looks at the inbox this often even without a NOTIFY (one lost on a reconnect).
POLL_SECONDS = 1.0
# Users with replies still in the outbox (delivery kept failing) are retried this often.
OUTBOX_SWEEP_SECONDS = 30.0
# Each worker's listener connection carries this application name: the live workers are the
# sessions with it (pg_stat_activity), each known by its server pid; a killed worker's session
# ends with its socket, so it leaves the list by itself. Each user is preferred for one of them
# (`preferred_index`, by the user's inbox bucket): a worker LISTENs only to its users' buckets
# and claims only its users — with every worker woken by every NOTIFY, N-1 of them ran a claim
# that found nothing or lost the users' locks (a tax growing with the workers).
WORKER_APPLICATION = "yuqi-inbox-worker"
MEMBERS_SECONDS = 1.0
# A user pending this long (whole seconds of received_at) is taken by the next worker in the
# list too, and after three times as long by any worker: the one it is preferred for may be
# gone (until the others next list the live workers), hung or full. One heir first, not all:
# under overload, when most users are that old, every worker claiming them raced for the same
# locks again.
GRACE_SECONDS = 2
# The users with pending updates, oldest first, whose lock no process holds, and who are this
# worker's: preferred for it (index $4 among $3 live workers; $3 = 0: any), the next one's
# when pending since received_at $5 or earlier, anyone's since $6 or earlier.
CANDIDATES_QUERY = (
    "SELECT user_id FROM (SELECT user_id, min(update_id) AS first, min(received_at) AS since,"
    f" {INBOX_BUCKET_SQL} % greatest($3::int, 1) AS preferred FROM inbox i"
    " WHERE status = 'pending'"
    " AND NOT EXISTS (SELECT 1 FROM pg_locks l"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $2::oid"
    " AND l.objid = (i.user_id % 2147483647)::oid AND l.objsubid = 2"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
    " GROUP BY user_id) AS pending WHERE $3::int = 0 OR preferred = $4::int"
    " OR (since <= $5::bigint AND (preferred + 1) % greatest($3::int, 1) = $4::int)"
    " OR since <= $6::bigint"
    " ORDER BY first LIMIT $1"
)
MEMBERS_QUERY = (
    "SELECT coalesce(array_agg(pid ORDER BY pid), '{}') FROM pg_stat_activity"
    " WHERE application_name = $1 AND datname = current_database()"
)
COALESCE_SECONDS = 0.002
SLOTS = 32
# Benchmarks only: a directory where a worker appends its counts (one JSON line) on SIGUSR1.
COUNTS_DIR_VARIABLE = "BOT_WORKER_COUNTS_DIR"

Handle = Callable[[RawUpdate], Awaitable[None]]
Flush = Callable[[int], Awaitable[bool]]


def preferred_index(user_id: int, workers: int) -> int:
    """Which of `workers` live workers (sorted by server pid) a user is preferred for; the
    same arithmetic as CANDIDATES_QUERY's."""
    return inbox_bucket(user_id) % workers


def user_key(user_id: int) -> int:
    """The advisory lock key of a user (int4). Two users sharing one only take turns."""
    return user_lock_key(user_id)


Dropped = Callable[[RawUpdate], Awaitable[None]]


class FloodCap:
    """The per-user cap on arrival for PostgreSQL receivers (DurableQueue.store_capped): a
    user's pending updates are counted in the inbox, so the cap holds across every receiver
    process and whichever worker handles them; the flood's one notice is queued in the
    same transaction (PgStorage.inbox_put_capped). Each dropped update is still read for
    words of crisis (`on_dropped`)."""

    def __init__(
        self, storage: PgStorage, cap: int, notice: str, quiet_seconds: int, on_dropped: Dropped
    ) -> None:
        self.storage = storage
        self.cap = cap
        self.notice = notice
        self.quiet_seconds = quiet_seconds
        self.on_dropped = on_dropped
        self.dropped = 0
        self.noticed = 0

    async def __call__(
        self, batch: list[tuple[RawUpdate, int]], rows: list[tuple[int, int, str]]
    ) -> tuple[set[int], set[int]]:
        chats = {user: u.chat_id for u, user in batch if u.chat_id is not None}
        notice = FloodNotice(self.notice, self.quiet_seconds, chats)
        result = await self.storage.inbox_put_capped(rows, self.cap, notice)
        self.dropped += len(result.dropped)
        self.noticed += len(result.noticed)
        for update, user in batch:
            if update.update_id in result.dropped:
                log.warning("user %d: flood, update dropped", user)
                await self.on_dropped(update)
        return result.fresh, result.dropped


class PollerLease:
    """Telegram serves getUpdates to one consumer: with polling, one process at a time holds
    this lease (a session advisory lock on a connection of its own). Another receiver waits as
    a standby and takes over when the holder's connection ends (it died or stopped)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: asyncpg.Connection | None = None

    async def acquire(self) -> None:
        """Return once this process holds the lease; until then it stands by."""
        announced = False
        while True:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(self.url)
                held = await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", *POLLER_LOCK
                )
                if held:
                    log.warning("receiver: holding the polling lease; polling Telegram")
                    return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("polling lease: database unavailable (%s)", type(error).__name__)
                self._drop()
            if not announced:
                log.warning(
                    "receiver: standby, another process is polling Telegram for this bot"
                    " (one getUpdates consumer); taking over when it stops"
                )
                announced = True
            await asyncio.sleep(STANDBY_SECONDS)

    async def watch(self, lost: Callable[[], object]) -> None:
        """While polling: a lease whose connection broke may be taken by a standby, so this
        process stops polling (`lost`) rather than be a second consumer."""
        while True:
            await asyncio.sleep(LEASE_CHECK_SECONDS)
            try:
                assert self._connection is not None
                await self._connection.fetchval("SELECT 1")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, AssertionError):
                log.error("receiver: polling lease lost with its connection; stopping")
                self._drop()
                lost()
                return

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.terminate()
        self._connection = None

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None


class InboxWorker:
    """Drains the inbox from this process: up to `slots` users at once."""

    def __init__(
        self, storage: PgStorage, handle: Handle, flush: Flush, slots: int = SLOTS
    ) -> None:
        self.storage = storage
        self.handle = handle
        self.flush = flush
        self.slots = slots
        self._active: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._locks: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._last_sweep = float("-inf")
        self._owed: set[int] = set()  # swept users owed replies, not yet taken
        self._saturated = False  # the last look found as many users as free slots
        # The live workers as last listed, and this one's place among them (None: not listed,
        # e.g. its listener is reconnecting; it then wakes for everyone and takes anyone).
        self._members = 0
        self._index: int | None = None
        self._members_at = float("-inf")
        self._listening: set[int] = set()  # the inbox buckets this worker is woken for
        self.handled = 0
        # What the dispatch costs (benchmarks/workers.py reads them per update): round trips
        # of the dispatch itself (claims, lock attempts, the drain's read and unlock), claims
        # that took nobody, NOTIFYs received and wake-ups that found nothing to take.
        self.counts: Counter[str] = Counter()

    async def run(self) -> None:
        """Until cancelled."""
        # The user locks are released explicitly (a connection whose unlock failed is closed,
        # which releases it too), so the pool's own reset round trip is not needed.
        self._locks = await asyncpg.create_pool(
            self.storage.url,
            min_size=1,
            max_size=self.slots + 1,
            reset=keep_session,
            init=watch_client,
        )
        try:
            while True:
                await self._listen()
                woken = self._wake.is_set()
                self._wake.clear()
                try:
                    if time.monotonic() - self._members_at >= MEMBERS_SECONDS:
                        await self._list_members()
                    taken = await self._dispatch()
                except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as error:
                    log.warning("inbox worker: database unavailable (%s)", type(error).__name__)
                    taken = 0
                if woken:
                    self.counts["wakeups"] += 1
                    self.counts["wakeups_idle"] += taken == 0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                # Under load many updates arrive together: one inbox query takes them all.
                await asyncio.sleep(COALESCE_SECONDS)
        finally:
            for task in list(self._active.values()):
                task.cancel()
            await asyncio.gather(*self._active.values(), return_exceptions=True)
            if self._listener is not None and not self._listener.is_closed():
                await self._listener.close()
            await self._locks.close()

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._index = None
        self._listening = set()
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            self._listener = await asyncpg.connect(
                self.storage.url, server_settings={"application_name": WORKER_APPLICATION}
            )
            await self._listen_to(set(range(INBOX_BUCKETS)))  # until it knows its place
            self._members_at = float("-inf")  # list the workers again, this one included

    async def _listen_to(self, buckets: set[int]) -> None:
        """LISTEN to these buckets' channels (the new ones first), UNLISTEN the others."""
        assert self._listener is not None
        for bucket in sorted(buckets - self._listening):
            await self._listener.add_listener(inbox_channel(bucket), self._notified)
            self._listening.add(bucket)
        for bucket in sorted(self._listening - buckets):
            await self._listener.remove_listener(inbox_channel(bucket), self._notified)
            self._listening.discard(bucket)

    async def _list_members(self) -> None:
        """The live workers (their listeners' server pids) and this one's place among them."""
        self._members_at = time.monotonic()
        members = list(await self.storage.pool.fetchval(MEMBERS_QUERY, WORKER_APPLICATION))
        self.counts["round_trips"] += 1
        mine = self._listener.get_server_pid() if self._listener is not None else None
        self._members = len(members)
        self._index = members.index(mine) if mine in members else None
        if self._listener is not None and not self._listener.is_closed():
            everything = set(range(INBOX_BUCKETS))
            index = self._index
            await self._listen_to(
                everything
                if index is None
                else {b for b in everything if b % len(members) == index}
            )

    def _notified(self, *_: object) -> None:
        """A stored update of a user in a bucket this worker listens to. Users in the others'
        buckets are theirs, or any worker's once pending a grace (CANDIDATES_QUERY)."""
        self.counts["notifies"] += 1
        self._wake.set()

    def write_counts(self, directory: Path) -> None:
        """Append this worker's counts so far to <directory>/<pid>.jsonl (benchmarks)."""
        with (directory / f"{os.getpid()}.jsonl").open("a") as out:
            out.write(json.dumps({**self.counts, "handled": self.handled}) + "\n")

    async def _dispatch(self) -> int:
        """Take users with pending updates into free slots; how many were taken."""
        if len(self._active) >= self.slots:
            return 0
        # Only users no process holds (their lock is not in pg_locks), as many as there are
        # free slots: with several workers, trying the locks the others hold was a round trip
        # each, a tax growing with the number of workers.
        free = self.slots - len(self._active)
        members, index = (0, 0) if self._index is None else (self._members, self._index)
        now = int(time.time())
        users = [
            row[0]
            for row in await self.storage.pool.fetch(
                CANDIDATES_QUERY,
                free,
                USER_LOCKS,
                members,
                index,
                now - GRACE_SECONDS,
                now - 3 * GRACE_SECONDS,
            )
        ]
        self.counts["claims"] += 1
        self.counts["round_trips"] += 1
        self._saturated = len(users) >= free
        if time.monotonic() - self._last_sweep >= OUTBOX_SWEEP_SECONDS:
            self._last_sweep = time.monotonic()
            self._owed.update(await self.storage.outbox_users())
            self.counts["round_trips"] += 1
        # Users owed replies (from the sweep) stay listed until this worker takes them: after
        # a restart with every slot busy, a reply committed before the crash goes out at the
        # next free slot, not one sweep (30 s) later — its user is waiting for it.
        users += [u for u in self._owed if u not in users]
        taken = 0
        for user_id in users:
            if len(self._active) >= self.slots:
                break
            if user_id not in self._active and await self._try_take(int(user_id)):
                self._owed.discard(user_id)
                taken += 1
        self.counts["claims_empty"] += taken == 0
        return taken

    async def _try_take(self, user_id: int) -> bool:
        """Start draining the user if no process has them; True when taken. The take reads,
        under the lock and in the same round trip, what the turn needs (PgStorage.take)."""
        assert self._locks is not None
        connection = await self._locks.acquire()
        self.counts["lock_attempts"] += 1
        self.counts["round_trips"] += 1
        try:
            taken = await self.storage.take(connection, USER_LOCKS, user_key(user_id), user_id)
        except BaseException:
            # The lock may have been taken before the error: closing the session releases it.
            connection.terminate()
            await self._locks.release(connection)
            raise
        if taken is None:
            self.counts["lock_misses"] += 1
            await self._locks.release(connection)
            return False
        self._active[user_id] = asyncio.get_running_loop().create_task(
            self._drain(user_id, connection, taken)
        )
        return True

    async def _drain(self, user_id: int, connection: asyncpg.Connection, taken: Taken) -> None:
        """Holding the user's lock: owed replies, then the user's oldest pending update. One
        update per take: a user who writes again at once queues behind the others' older
        updates (the dispatch goes oldest first) instead of keeping the slot."""
        assert self._locks is not None
        update_id = taken.update_id
        self.counts["round_trips"] += 1  # the unlock below
        hold_connection(connection)
        delivered = release_deletes()
        try:
            if update_id is None or taken.payload is None:
                await self.flush(user_id)  # the sweep: replies whose delivery kept failing
            else:
                # Replies left from before go first; once none is left, this turn's are sent
                # from memory, without reading the outbox back (under the lock, only this task
                # adds to it; a flood notice stored meanwhile waits for the next take).
                if not taken.owed or await self.flush(user_id):
                    outbox_seen_empty(user_id)
                taken.preload(user_id)
                await self._one(update_id, taken.payload)
        except Exception:
            log.exception("inbox worker: user %d failed; retried later", user_id)
        finally:
            self._active.pop(user_id, None)
            left, more = await self._unlock(connection, user_id, update_id, delivered)
            await self._locks.release(connection)
            if more or self._saturated or self._owed:
                # The user has more, the last look found more users than free slots, or owed
                # users wait: look again now. Otherwise new updates come with a NOTIFY (an
                # inbox query for each finished turn was a round trip per turn per worker).
                self._wake.set()
        if left == "pending":
            # Its turn neither committed nor failed honestly (an unexpected error, already
            # reported to the user by the error handler): never loop on it.
            log.warning("update %d left pending by its handler; marked failed", update_id)
            await self.storage.inbox_finish(update_id or 0, "failed")

    async def _unlock(
        self,
        connection: asyncpg.Connection,
        user_id: int,
        update_id: int | None,
        delivered: list[int],
    ) -> tuple[str | None, bool]:
        """Release the user (PgStorage.release: the turn's last delivered reply leaves the
        outbox in the same round trip). A connection whose release fails is closed:
        its session, and the lock, end."""
        try:
            return await self.storage.release(
                connection, USER_LOCKS, user_key(user_id), user_id, update_id, delivered
            )
        except Exception:
            connection.terminate()
            return None, True

    async def _one(self, update_id: int, payload: str) -> None:
        update = RawUpdate.of(json.loads(payload))
        if update is not None:
            await self.handle(update)
            self.handled += 1


class Leader:
    """One process at a time holds the leader lock, on a connection of its own. A process that
    takes it (the first, after another's death, or again after its own connection broke) leads
    from one bulk period later (TAKEOVER_SECONDS); one that keeps it never waits again."""

    def __init__(self, url: str, takeover_seconds: float = TAKEOVER_SECONDS) -> None:
        self.url = url
        self.takeover_seconds = takeover_seconds
        self._connection: asyncpg.Connection | None = None
        self._held = False
        # When (event loop clock) this process last took the lock; None while it does not hold it.
        self.taken_at: float | None = None
        self.waits = 0  # takeovers waited out (tests: a kept lock is not waited for again)

    async def holds(self) -> bool:
        """True when this process is the leader (taking the lock if it is free). Having just
        taken it, it returns only once TAKEOVER_SECONDS have passed since, the lock still held."""
        loop = asyncio.get_running_loop()
        while await self._check():
            assert self.taken_at is not None
            wait = self.taken_at + self.takeover_seconds - loop.time()
            if wait <= 0:
                return True
            self.waits += 1
            await asyncio.sleep(wait)
        return False

    async def _check(self) -> bool:
        """Whether this process holds the lock now, taking it if it is free."""
        try:
            if self._connection is None or self._connection.is_closed():
                self._released()
                self._connection = await asyncpg.connect(self.url)
            if self._held:
                await self._connection.fetchval("SELECT 1")  # still connected, still ours
                return True
            self._held = bool(
                await self._connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LEADER_LOCK)
            )
            if self._held:
                # Read after the lock was granted (never before): the wait counts from here.
                self.taken_at = asyncio.get_running_loop().time()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("leader lock: database unavailable (%s)", type(error).__name__)
            self._released()
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    self._connection.terminate()
            self._connection = None
        return self._held

    def still_holds(self) -> bool:
        """Without a round trip: False once the lock's connection is known closed (the server
        ended the session, or it broke), when another process may take the lock."""
        return self._held and self._connection is not None and not self._connection.is_closed()

    def _released(self) -> None:
        self._held = False
        self.taken_at = None

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None
        self._released()


def while_leading(leader: Leader | None, send: Sender) -> Sender:
    """`send` that stops once the leader lock held at the start of the pass is lost (its
    connection broke): a successor may send from a period later, so the pass's other reminders
    are released as after a transient error (retried by a later pass) instead of going out
    beside the successor's. No leader (SQLite) or none held (a pass run directly): as it is."""
    if leader is None or not leader.still_holds():
        return send

    async def send_while_leading(chat_id: int, reply: RenderedReply) -> None:
        if not leader.still_holds():
            raise NetworkError("the reminder leader lock was lost during the pass")
        await send(chat_id, reply)

    return send_while_leading


# ---- wiring into the Telegram application (bot/telegram_app.py) ---------------------------

LEADER = "leader"


def start(application: Application, conversation: Conversation, delivery: Delivery) -> None:
    """On PostgreSQL, at post_init: the inbox decides what was applied; a worker (role worker
    or both) starts draining the inbox and may become the reminder leader."""
    storage = conversation.storage
    assert isinstance(storage, PgStorage)
    conversation.inbox_decides = True
    settings = conversation.settings
    if settings.role == "receiver":
        return
    worker = InboxWorker(storage, application.process_update, delivery.flush, settings.worker_slots)
    application.bot_data[LEADER] = Leader(storage.url)
    application.bot_data["inbox_worker"] = worker
    counts_dir = os.environ.get(COUNTS_DIR_VARIABLE)
    if counts_dir:
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGUSR1, worker.write_counts, Path(counts_dir)
        )
        worker.write_counts(Path(counts_dir))  # the benchmark signals once this line is there
    tasks: set[asyncio.Task[None]] = application.bot_data.setdefault("_tasks", set())
    task = asyncio.get_running_loop().create_task(worker.run())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


POLLER = "poller_lease"


async def hold_polling_lease(application: Application) -> None:
    """On PostgreSQL with polling, at the end of post_init (before the first getUpdates):
    stand by until this process holds the polling lease, then keep watching it. A standby
    with role both handles the inbox meanwhile (its worker is already running)."""
    storage = application.bot_data["conversation"].storage
    assert isinstance(storage, PgStorage)
    lease = PollerLease(storage.url)
    application.bot_data[POLLER] = lease
    await lease.acquire()
    tasks: set[asyncio.Task[None]] = application.bot_data.setdefault("_tasks", set())
    task = asyncio.get_running_loop().create_task(lease.watch(application.stop_running))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def may_send_reminders(application: Application) -> bool:
    """SQLite: always (one process). PostgreSQL: only the leader; receivers never."""
    settings: Settings = application.bot_data["settings"]
    if settings.database_url is None:
        return True
    leader: Leader | None = application.bot_data.get(LEADER)
    return leader is not None and await leader.holds()


def leading_sender(application: Application, send: Sender) -> Sender:
    """The reminder pass's sender: on PostgreSQL it stops when the leader lock is lost."""
    return while_leading(application.bot_data.get(LEADER), send)


async def stop(application: Application) -> None:
    leader: Leader | None = application.bot_data.pop(LEADER, None)
    if leader is not None:
        await leader.close()
    lease: PollerLease | None = application.bot_data.pop(POLLER, None)
    if lease is not None:
        await lease.close()


def run_worker(application: Application) -> None:
    """Role `worker`: the application without polling or webhook, until SIGTERM/SIGINT."""

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stopping.set)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await stopping.wait()
        finally:
            await application.stop()
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)

    asyncio.run(main())
