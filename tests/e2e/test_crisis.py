"""End to end through the stand-in Bot API (issue 13): words of suicide or self-harm at the
welcome, in a form field of each step and in passing get the hotline reply first; the pending
question is still pending (the next answer is taken as usual); the words are nowhere in the
database or any later reply, and not in the logs."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bot.logs import configure_logging
from tests.conftest import RunningBot, start_bot
from tests.standin_api import SentMessage, SimUser, StandInBotApi

HOTLINE_WORDS = ("12356", "110", "120")


def everything_stored(database: Path) -> str:
    """Every row of every table, as SQL text (WAL included: read through SQLite)."""
    with sqlite3.connect(database) as connection:
        return "\n".join(connection.iterdump())


async def crisis(bot: RunningBot, user: SimUser, words: str) -> SentMessage:
    """Say `words`; the one reply is the hotline reply with its two buttons."""
    before = len(user.messages)
    reply = await bot.say(user, words)
    assert len(user.messages) == before + 1, [m.text for m in user.messages[before:]]
    assert all(number in reply.text for number in HOTLINE_WORDS)
    assert "你很重要" in reply.text
    assert [label for label, _ in reply.buttons] == [
        "看看今天能为欠款做点什么",
        "先到这里，以后再继续",
    ]
    assert words not in reply.text
    return reply


def nowhere(user: SimUser, database: Path, *words: str, since: int = 0) -> None:
    stored = everything_stored(database)
    later = "\n".join(m.text for m in user.messages[since:])
    for word in words:
        assert word not in stored
        assert word not in later


async def test_at_the_welcome_the_hotline_comes_before_anything_else(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    ann = api.user(1301, "Ann")
    reply = await crisis(bot, ann, "我不想活了")
    assert len(ann.messages) == 1  # no welcome, no "press a button"
    welcome = await bot.press(ann, "看看今天", reply)
    assert "这一步请点下面的按钮" not in "\n".join(m.text for m in ann.messages)
    assert "开始第一步" in "".join(label for label, _ in welcome.buttons)
    assert any("12356" in m.text and "关于你的信息" in m.text for m in ann.messages[1:])
    nowhere(ann, database, "不想活", since=1)


async def test_platform_name_and_reason_are_still_asked_and_the_script_holds_no_crisis_words(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    ben = api.user(1302, "Ben")
    await bot.say(ben, "/start")
    await bot.press(ben, "开始第一步")
    platform_question = await bot.press(ben, "帮我写联系客服的话术")
    await crisis(bot, ben, "活着没意思，想一了百了")
    reason_question = await bot.say(ben, "借呗")
    assert (
        "逾期的主要原因" in reason_question.text and platform_question.text != reason_question.text
    )
    await bot.press(ben, "其他", reason_question)
    await crisis(bot, ben, "我想跳河")
    proposal = await bot.say(ben, "工资被拖欠了")
    assert "你想先向平台提出什么" in proposal.text
    script = await bot.press(ben, "申请延期还款")
    texts = "\n".join(m.text for m in ben.messages[-3:])
    assert "借呗" in texts and "工资被拖欠了" in texts and script is not None
    nowhere(ben, database, "一了百了", "活着没意思", "跳河")


async def test_a_debt_amount_question_is_still_pending_after_a_crisis_text(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    cai = api.user(1303, "Cai")
    await bot.say(cai, "/start")
    await bot.say(cai, "/debts")
    await bot.press(cai, "添加一笔债务")
    await bot.say(cai, "借呗")
    await bot.press(cai, "还不清楚")
    amount_question = await bot.say(cai, "2023-09-01")
    await crisis(bot, cai, "欠了两万，活不下去了")
    after = await bot.say(cai, "1万")
    assert after.text != amount_question.text  # 1万 was taken as the amount borrowed
    assert "10000" in everything_stored(database)
    nowhere(cai, database, "活不下去")


async def test_a_budget_amount_and_a_buttons_only_question_in_passing(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    dan = api.user(1304, "Dan")
    await bot.say(dan, "/start")
    await bot.say(dan, "/budget")
    kind_question = await bot.press(dan, "开始填写")
    await crisis(bot, dan, "催收说再不还就上门，我真的不想活了")  # in passing, at buttons
    await bot.press(dan, "基本固定", kind_question)  # the old question's button still works
    income_question = dan.last
    await crisis(bot, dan, "每月8000都不够，想死")
    rent = await bot.say(dan, "8000")
    assert rent.text != income_question.text and "房租" in rent.text
    for amount in ("2500", "300", "1200", "200", "0", "0"):
        await bot.say(dan, amount)
    summary = await bot.press(dan, "跳过")
    assert "收入：8,000 元（固定）" in summary.text
    nowhere(dan, database, "不想活", "想死")


async def test_the_collection_story_never_takes_the_crisis_words_into_the_complaint(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    eve = api.user(1305, "Eve")
    await bot.say(eve, "/start")
    await bot.say(eve, "/menu")
    await bot.press(eve, "暴力催收与投诉")
    await crisis(bot, eve, "催收天天打我电话，我想跳楼")
    since = len(eve.messages)
    await bot.say(eve, "催收爆我通讯录了")
    assert "爆通讯录" in "\n".join(m.text for m in eve.messages[since:])
    nowhere(eve, database, "跳楼")


async def test_the_goal_after_paying_off_is_asked_again_not_praised(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    fay = api.user(1306, "Fay")
    await bot.say(fay, "/start")
    await bot.say(fay, "/menu")
    await bot.press(fay, "还清之后")
    await bot.press(fay, "设定我的下一步")
    own_question = await bot.press(fay, "我自己写")
    assert "用一句话写下你的下一步" in own_question.text
    await crisis(bot, fay, "一了百了")
    saved = await bot.say(fay, "每月存500")
    assert "每月存500" in saved.text
    nowhere(fay, database, "一了百了")


async def test_english_words_and_carry_on_later_keep_the_place(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    gus = api.user(1307, "Gus")
    await bot.say(gus, "/start")
    await bot.press(gus, "开始第一步")
    await bot.press(gus, "帮我写联系客服的话术")
    reply = await crisis(bot, gus, "I want to kill myself")
    later = await bot.press(gus, "以后再继续", reply)
    assert "12356" in later.text and "提醒" in later.text
    reason_question = await bot.say(gus, "借呗")  # whenever they come back: the same question
    assert "逾期的主要原因" in reason_question.text
    nowhere(gus, database, "kill myself")


async def test_a_photo_caption_is_read_for_crisis_words(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    hal = api.user(1308, "Hal")
    await bot.say(hal, "/start")
    photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 90, "height": 90}]
    hal.api.push({"message": hal._message(photo=photo, caption="我不想活了")})
    await bot.settle()
    assert all(number in hal.last.text for number in HOTLINE_WORDS)
    nowhere(hal, database, "不想活")


async def test_crisis_words_are_never_logged(bot: RunningBot, api: StandInBotApi, caplog):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    ivy = api.user(1309, "Ivy")
    await bot.say(ivy, "想自杀")
    await bot.say(ivy, "/start")
    await bot.press(ivy, "开始第一步")
    await bot.press(ivy, "帮我写联系客服的话术")
    await bot.say(ivy, "活着没意思，一了百了")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "自杀" not in logged and "一了百了" not in logged


async def test_words_of_crisis_in_a_flood_beyond_the_queue_are_still_heard(
    api: StandInBotApi, database: Path
):
    running = await start_bot(api, database, max_queued_updates_per_user=1)
    try:
        jay = api.user(1310, "Jay")
        for number in range(6):
            jay.says(str(number))
        for words in ("我不想活了", "活不下去了", "想自杀"):
            jay.says(words)
        await running.settle()
        heard = [m for m in jay.messages if "12356" in m.text and "你很重要" in m.text]
        assert len(heard) == 3
        assert any("跳过了" in m.text for m in jay.messages)  # it was a flood
        nowhere(jay, database, "不想活", "活不下去", "自杀")
    finally:
        await running.stop()


async def test_words_of_crisis_in_a_group_get_the_hotline_without_buttons(
    bot: RunningBot, api: StandInBotApi
):
    api.push(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "我真的不想活了",
                "chat": {"id": -130, "type": "group", "title": "家人群"},
                "from": {"id": 1311, "is_bot": False, "first_name": "K"},
            }
        }
    )
    await bot.settle()
    sent = api.calls_to("sendMessage", -130)
    assert len(sent) == 1 and "12356" in sent[0].params["text"]
    assert not sent[0].params.get("reply_markup")
