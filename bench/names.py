"""Plausible Chinese person names for the synthetic corpus, and how they are put into text."""
from __future__ import annotations

import random
from dataclasses import dataclass

# Names that must always be in the mix: typical cases the project's tests talk about.
FIXED_NAMES = ("卜剑平", "王小明", "王建成")

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤卜"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容", "东方")
_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰鹏辉建国文斌宇浩凯婷雪峰晨"
    "志忠海波永亮俊飞新春梅琳云莉丹立成德林宏淑凤荣秋燕晓东剑彬振光卫瑞丽鑫佳欣雅慧颖"
)

# Sentences that carry a name ({n}); each keeps the name whole between other words.
CONTEXTS = (
    "由{n}负责",
    "{n}同志参加了会议",
    "经办人：{n}",
    "会议由{n}主持",
    "{n}指出",
    "联系人{n}",
    "据{n}介绍",
    "报{n}审阅",
    "{n}",
)
PAIR_CONTEXT = "{n}、{m}等同志出席"


@dataclass(frozen=True)
class Name:
    text: str
    in_dictionary: bool  # whether jieba's default dictionary knows the whole name


def make_names(rng: random.Random, count: int = 300) -> list[Name]:
    """`count` distinct names: the fixed ones plus surname + one or two given characters."""
    texts = list(FIXED_NAMES)
    seen = set(texts)
    while len(texts) < count:
        surname = (rng.choice(_COMPOUND_SURNAMES) if rng.random() < 0.04
                   else rng.choice(_SURNAMES))
        given = "".join(rng.choice(_GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
        name = surname + given
        if name not in seen:
            seen.add(name)
            texts.append(name)
    known = _dictionary()
    return [Name(t, known.get(t, 0) > 0) for t in texts]


def _dictionary() -> dict[str, int]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return jieba.dt.FREQ


def name_clauses(rng: random.Random, names: list[str]) -> list[str]:
    """Short clauses that carry all of `names` (sometimes two names in one clause)."""
    clauses, rest = [], list(names)
    while rest:
        if len(rest) >= 2 and rng.random() < 0.3:
            clauses.append(PAIR_CONTEXT.format(n=rest.pop(), m=rest.pop()))
        else:
            clauses.append(rng.choice(CONTEXTS).format(n=rest.pop()))
    return clauses
