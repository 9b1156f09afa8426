"""Several processes on one PostgreSQL: one receiver, three workers, one worker SIGKILLed and
restarted mid-run.

Real processes (`python -m bot --role receiver|worker`) against the stand-in Bot API and the
tests' PostgreSQL. Hundreds of scripted users each send a burst of commands without waiting;
every command's reply starts with its own words, so a user's chat shows which inputs were
answered, how often and in which order. Reminders due for other users go out once each, sent by
the one leader process; when the leader is killed another process takes over; all reminders
together reach the stand-in within the ~30 messages/s bulk rate (over_bulk_rate).
"""

from __future__ import annotations

import asyncio
import random
import signal
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from bot.limiter import BULK_MESSAGES_PER_SECOND
from bot.storage.postgres import PgStorage
from bot.workers import LEADER_LOCK
from flows.conversation.state import UserState
from flows.domain.ledger import Debt, DueSpec
from tests.bot_process import spawn_bot_process, stop_processes
from tests.conftest import Backend
from tests.standin_api import SimUser, StandInBotApi

USERS = 200
BURST = 6
WORKERS = 3
REMINDED = 40
# After the kill: more than twice the limiter's burst, so two senders would show in the rate.
LATE_REMINDED = 120
# Arrival jitter at the stand-in (messages leave the limiter on time, arrive a little bunched).
JITTER = 3
# The first words of each command's reply (for someone who has pressed /start). Not /help: it
# shows the current question again after its own text, which would look like a second answer.
MARKERS = {
    "/debts": "第二步",
    "/budget": "第三步",
    "/reminders": "还款提醒\n",
    "/menu": "主菜单",
    "/plan": "还没有债务清单",
    "/log": "我的沟通记录",
}
REMINDER = "还款提醒："
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def spawn(
    api: StandInBotApi, url: str, role: str, workdir: Path
) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_URL": url,
        "DATABASE_PATH": str(workdir / "unused.sqlite3"),
        "REMINDER_SCAN_SECONDS": "1",
        "WORKER_SLOTS": "16",
        "LOG_LEVEL": "WARNING",
    }
    return await spawn_bot_process(api, workdir, env, "--role", role)


def markers_of(user: SimUser) -> list[str]:
    """The commands a user's chat shows answers to, in the order they arrived."""
    found = []
    for message in user.messages:
        for command, words in MARKERS.items():
            if message.text.startswith(words) or message.text == words.strip():
                found.append(command)
    return found


def reminders_of(user: SimUser) -> int:
    return sum(REMINDER in m.text.split("\n", 1)[0] for m in user.messages)


async def seed_reminders(url: str, first_id: int, count: int = REMINDED) -> list[int]:
    """Users whose debt is due today (Shanghai), entered ten days ago: one reminder each is
    owed now (the latest lead that has fired; the due day has not ended)."""
    today = datetime.now(SHANGHAI)
    storage = await PgStorage.open(url)
    ids = list(range(first_id, first_id + count))
    try:
        for user_id in ids:
            debt = Debt(id=1, platform="借呗", due=DueSpec.monthly(today.day))
            state = UserState(started=True, debts=(debt,), next_debt_id=2)
            await storage.save(user_id, user_id, state, now=today - timedelta(days=10))
    finally:
        await storage.close()
    return ids


async def leaders(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2",
            *LEADER_LOCK,
        )
    finally:
        await connection.close()


async def test_three_workers_answer_every_input_once_in_order_through_a_kill(
    api: StandInBotApi, pg: Backend, tmp_path: Path
):
    url = pg.url or ""
    chance = random.Random(20261206)
    await (await PgStorage.open(url)).close()  # migrated once, before the processes start
    processes: list[asyncio.subprocess.Process] = []
    try:
        receiver = await spawn(api, url, "receiver", tmp_path)
        leader = await spawn(api, url, "worker", tmp_path)  # the first worker leads
        processes += [receiver, leader]
        early = await seed_reminders(url, 20_001)
        await api.wait_until(lambda: all(reminders_of(api.user(u)) for u in early), timeout=120)
        workers = [leader]
        for _ in range(WORKERS - 1):
            workers.append(await spawn(api, url, "worker", tmp_path))
        processes += workers[1:]

        people = [api.user(100_000 + n) for n in range(USERS)]
        for person in people:
            person.says("/start")
        await api.wait_until(lambda: all(p.messages for p in people), timeout=180)

        sent: dict[int, list[str]] = {}
        for person in people:
            sent[person.id] = [chance.choice(list(MARKERS)) for _ in range(BURST)]
            for command in sent[person.id]:
                person.says(command)

        def answered() -> int:
            return sum(len(markers_of(p)) for p in people)

        # The leader dies with work in flight, a third of the way through.
        await api.wait_until(lambda: answered() >= USERS * BURST // 3, timeout=180)
        leader.send_signal(signal.SIGKILL)
        await leader.wait()
        restarted = await spawn(api, url, "worker", tmp_path)
        processes.append(restarted)
        late = await seed_reminders(url, 30_001, LATE_REMINDED)  # for whoever leads now

        await api.wait_until(
            lambda: (
                all(len(_collapse(markers_of(p), sent[p.id])) >= BURST for p in people)
                and all(reminders_of(api.user(u)) for u in late)
            ),
            timeout=300,
        )
        await asyncio.sleep(2)  # anything sent twice would arrive now

        duplicates = 0
        for person in people:
            shown = markers_of(person)
            # A reply delivered twice (killed after Telegram took it, before it was marked
            # sent) shows the same answer twice in a row; a lost, doubled or reordered TURN
            # would change the sequence itself.
            deduplicated = _collapse(shown, sent[person.id])
            duplicates += len(shown) - len(deduplicated)
            assert deduplicated == sent[person.id], (person.id, shown, sent[person.id])
        assert duplicates <= 16, duplicates  # at most the killed worker's slots in flight
        for user_id in early + late:
            assert reminders_of(api.user(user_id)) == 1, user_id
        assert await leaders(url) == 1
        times = reminder_times(api)
        assert over_bulk_rate(times) == []
        busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
        print(
            f"\nmultiprocess: {USERS * BURST} inputs, {duplicates} replies delivered twice;"
            f" {len(times)} reminders, at most {busiest} in any second"
        )
    finally:
        await stop_processes(processes)


def reminder_times(api: StandInBotApi) -> list[float]:
    """When each reminder reached the stand-in, from whichever process sent it."""
    return sorted(
        call.at
        for call in api.calls_to("sendMessage")
        if REMINDER in str(call.params.get("text", "")).split("\n", 1)[0]
    )


def over_bulk_rate(times: list[float]) -> list[tuple[int, float]]:
    """Stretches where the reminders of all processes together beat the bulk rate: the
    limiter's bucket holds BULK_MESSAGES_PER_SECOND and refills at that rate, so one sender
    gets at most rate * (1 + t) messages out within t seconds; two senders would get twice."""
    rate = BULK_MESSAGES_PER_SECOND
    over = []
    for first, start in enumerate(times):
        for last in range(first + rate, len(times)):
            count, span = last - first + 1, times[last] - start
            if count > rate * (1 + span) + JITTER:
                over.append((count, round(span, 3)))
    return over


def test_the_bulk_rate_check_tells_one_sender_from_two():
    one = [0.0] * 30 + [n / 30 for n in range(1, 91)]  # a full bucket, then 30/s
    assert over_bulk_rate(one) == []
    assert over_bulk_rate(sorted(one + one)) != []


def _collapse(shown: list[str], expected: list[str]) -> list[str]:
    """`shown` with a repeat of the answer just before it dropped, unless the user really sent
    that command twice in a row at that place."""
    collapsed: list[str] = []
    for command in shown:
        position = len(collapsed)
        repeat = collapsed and collapsed[-1] == command
        wanted_again = position < len(expected) and expected[position] == command
        if repeat and not wanted_again:
            continue
        collapsed.append(command)
    return collapsed
