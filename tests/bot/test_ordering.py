"""One user's updates are handled in order; other users are not held up, even by a flood."""

from __future__ import annotations

import asyncio

from bot.ordering import PerUserOrder
from bot.updates import RawUpdate
from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


def update_from(user_id: int, update_id: int) -> RawUpdate:
    user = {"id": user_id, "is_bot": False, "first_name": "u"}
    update = RawUpdate.of(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": user,
                "text": "x",
            },
        }
    )
    assert update is not None
    return update


async def _no_overflow(update: RawUpdate) -> None:
    raise AssertionError("no overflow expected")


async def test_one_users_updates_run_one_after_another():
    processor = PerUserOrder(64, 20, _no_overflow)
    log: list[str] = []

    async def work(name: str) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(0.01)
        log.append(f"end {name}")

    await asyncio.gather(
        *(processor.process_update(update_from(1, i), work(str(i))) for i in range(3))
    )
    assert log == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]


async def test_different_users_run_at_the_same_time():
    processor = PerUserOrder(64, 20, _no_overflow)
    both_inside = asyncio.Event()
    inside = 0

    async def work() -> None:
        nonlocal inside
        inside += 1
        if inside == 2:
            both_inside.set()
        await asyncio.wait_for(both_inside.wait(), 2)

    await asyncio.gather(
        processor.process_update(update_from(1, 1), work()),
        processor.process_update(update_from(2, 2), work()),
    )
    assert both_inside.is_set()


async def test_a_flood_beyond_the_cap_is_dropped_on_arrival_and_reported_per_update():
    dropped: list[int] = []

    async def overflow(update: RawUpdate) -> None:
        dropped.append(update.update_id)

    processor = PerUserOrder(64, 2, overflow)
    admitted = [await processor.admit(update_from(1, i)) for i in range(5)]
    assert admitted == [True, True, False, False, False]
    assert dropped == [2, 3, 4]
    assert await processor.admit(update_from(2, 9)), "another user has a cap of their own"


async def test_a_users_waiting_updates_hold_no_shared_slot():
    processor = PerUserOrder(2, 20, _no_overflow)  # two shared slots only
    gate = asyncio.Event()
    bystander_done = asyncio.Event()

    async def stuck() -> None:
        await gate.wait()

    async def bystander() -> None:
        bystander_done.set()

    flood = [update_from(1, i) for i in range(10)]
    tasks = []
    for update in flood:
        assert await processor.admit(update)
        tasks.append(asyncio.create_task(processor.process_update(update, stuck())))
    await asyncio.sleep(0.01)
    other = update_from(2, 100)
    tasks.append(asyncio.create_task(processor.process_update(other, bystander())))
    await asyncio.wait_for(bystander_done.wait(), 2)
    gate.set()
    await asyncio.gather(*tasks)
    assert processor.finished == 11


async def test_a_flooding_user_is_answered_calmly_and_others_are_served(
    bot: RunningBot, api: StandInBotApi
):
    flooder, neighbour = api.user(7007), api.user(8008)
    await bot.say(flooder, "/start")
    for i in range(50):
        flooder.says(f"第{i}条")
    neighbour.says("/start")
    await bot.settle()
    assert any("逾期不慌" in m.text for m in neighbour.messages)
    notices = [m for m in flooder.messages if "跳过" in m.text]
    assert len(notices) == 1
    assert "没有处理" in notices[0].text  # honest: the extra messages were not handled
    answered = [m for m in flooder.messages if "跳过" not in m.text]
    # Every message was either answered or covered by the notice, none silently.
    assert bot.processor.dropped + len(answered) >= 51
