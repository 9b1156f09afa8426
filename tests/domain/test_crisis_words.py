"""Words of suicide or self-harm are recognised in every phrasing; everyday idioms are not.

A table written for issue 13: simplified and traditional characters, full-width text,
English, paraphrases, and the idioms (笑死了, 忙死了, 烦死了 …) that must not trigger it.
"""

from __future__ import annotations

import pytest

from flows.domain.facts import Facts
from flows.domain.parsing.crisis_words import fold, is_crisis

CRISIS = [
    # wanting to die, not wanting to live
    "我不想活了",
    "不想活了",
    "真的不想活",
    "我想死",
    "好想死啊",
    "我真想去死",
    "还不如死了算了",
    "死了算了",
    "我死了就不用还了吧",
    "要是我死了他们就不会再打电话了",
    "活不下去了",
    "实在活不下去",
    "活着没意思",
    "活着真没意思，每天都被催",
    "感觉活着没有意义",
    "活够了",
    "我已经没有活路了",
    "一了百了",
    "想一了百了",
    "一死了之",
    "有轻生的念头",
    "想自杀",
    "我想过自杀",
    "寻短见",
    "我怕我会想不开",
    "想结束自己的生命",
    "结束生命",
    "想离开这个世界",
    "不想再醒来了",
    "好想消失",
    "想一睡不醒",
    "永别了",
    "没有我家人会过得更好",
    # ways
    "我想跳楼",
    "站在楼顶想跳下去",
    "想去跳河",
    "想跳江",
    "买了安眠药",
    "吞了一瓶药",
    "想喝农药",
    "吃药一了百了",
    "想把药全吃了",
    "干脆喝药算了",
    "攒了好多药，想结束",
    "割腕",
    "烧炭",
    "上吊",
    "遗书已经写好了",
    "写好了遗书",
    "想自残",
    "我会伤害自己",
    "我真的撑不下去了",
    # mixed with everyday words
    "烦死了，不想活了",
    "催收天天打，我想跳楼",
    "欠了二十万，活不下去了",
    # traditional characters
    "我不想活了，真的沒意思",
    "想輕生",
    "想自殺",
    "跳樓",
    "寫好了遺書",
    "活著沒意思",
    "結束生命",
    # full-width and spaced
    "不 想 活 了 ！",
    "ｋｉｌｌ ｍｙｓｅｌｆ",
    "想　死",
    # English
    "I want to kill myself",
    "I'm going to end my life",
    "thinking about suicide",
    "I feel suicidal",
    "I don't want to live anymore",
    "I want to die",
    "I can't go on",
    "I've been hurting myself",
    "I might take my own life",
    "Thinking of jumping off the bridge",
    "SUICIDE",
    "everyone would be better off without me",
]

NOT_CRISIS = [
    "笑死了",
    "忙死了",
    "烦死了",
    "累死了",
    "饿死了",
    "热死了",
    "气死我了",
    "吓死我了",
    "急死人了",
    "忙得要死",
    "想死你了",
    "困死了，明天再填",
    "笑死我了哈哈",
    "跳楼价甩卖",
    "生病了一直在吃药，花了很多钱",
    "我每天吃药",
    "医生开的药都吃完了",
    "喝药了吗",
    "借呗",
    "360借条",
    "失业了",
    "8000",
    "两千五",
    "日息万五",
    "催收爆我通讯录了",
    "他们说要起诉我",
    "不想干活了",
    "思想死板",
    "手机死机了",
    "我的活期存款",
    "我爸去年死了，家里困难",
    "我不会自杀的",
    "killing it",
    "I can't go online today",
    "I want to diet",
    "my phone died",
    "deadline is tomorrow",
    "存一点应急的钱",
    "想先还一部分",
    "想让催收消失",
    "我想先消失几天不接电话",
    "好想睡一觉",
]


@pytest.mark.parametrize("typed", CRISIS)
def test_words_of_crisis_are_recognised(typed: str, facts: Facts):
    assert is_crisis(typed, facts.crisis)


@pytest.mark.parametrize("typed", NOT_CRISIS)
def test_everyday_words_and_idioms_are_not_taken_for_crisis(typed: str, facts: Facts):
    assert not is_crisis(typed, facts.crisis)


def test_the_table_has_at_least_sixty_phrasings():
    assert len(CRISIS) + len(NOT_CRISIS) >= 60
    assert len(set(CRISIS)) == len(CRISIS) and len(set(NOT_CRISIS)) == len(NOT_CRISIS)


def test_folding_turns_width_case_and_traditional_characters_into_one_form(facts: Facts):
    assert fold("ＫＩＬＬ  Myself!", facts.crisis.fold) == "killmyself"
    assert fold("想輕生。", facts.crisis.fold) == "想轻生"


def test_without_patterns_nothing_is_recognised():
    from flows.domain.parsing.crisis_words import CrisisFacts

    assert not is_crisis("我不想活了", CrisisFacts())
