"""One user's updates are handled in order; other users are not held up, even by a flood."""

from __future__ import annotations

import asyncio

from telegram import Update, User

from bot.ordering import PerUserOrder
from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


def update_from(user_id: int, update_id: int) -> Update:
    user = User(user_id, "u", is_bot=False)
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": user.to_dict(),
                "text": "x",
            },
        },
        None,
    )


async def _no_overflow(update: Update) -> None:
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


async def test_a_flood_beyond_the_queue_is_dropped_and_reported_once_per_update():
    dropped: list[int] = []

    async def overflow(update: Update) -> None:
        dropped.append(update.update_id)

    processor = PerUserOrder(64, 2, overflow)
    gate = asyncio.Event()

    async def work() -> None:
        await gate.wait()

    tasks = [
        asyncio.create_task(processor.process_update(update_from(1, i), work())) for i in range(5)
    ]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*tasks)
    assert dropped == [2, 3, 4]
    assert processor.finished == 5


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
    notices = [m for m in flooder.messages if "消息有点多" in m.text]
    assert len(notices) == 1
