"""Words that name someone or something: jieba's person, place and organisation words, and
words the segmenter found outside its dictionary that start with a common surname."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import jieba
import numpy as np

# the hundred most common surnames (and a few 多音字 ones): a word the segmenter found outside
# its dictionary that starts with one of them is taken for a person's name
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤卜单解")
_NAME_TAGS = ("nr", "nrt", "ns", "nt")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
NAMES_FILE = "names.txt"  # beside the index: the names its records' words hold
# what ends an organisation's name (当阳市档案局, 半月镇人民政府, 中共当阳县委员会 …)
ORG_ENDINGS = ("局", "委", "委员会", "政府", "办公室", "办", "院", "所", "厅", "部", "处", "科",
               "站", "中心", "公司", "学校", "小学", "中学", "大学", "医院", "银行", "协会",
               "联合会", "支部", "党委", "总支", "队", "馆", "社", "会", "厂", "场", "街道")


def is_organisation(name: str) -> bool:
    """A name of four or more characters that ends as an organisation's does."""
    return len(name) >= 4 and name.endswith(ORG_ENDINGS)


def name_like(words: Iterable[str]) -> set[str]:
    """The words among `words` that look like names (see the module docstring)."""
    tagged, known = dictionary_names(), dictionary_words()
    return {w for w in words if _CJK_NAME.fullmatch(w)
            and (w in tagged or (w not in known and w[0] in SURNAMES and len(w) <= 3))}


def within_one(a: str, b: str) -> bool:
    """Levenshtein distance of a and b is at most 1."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def near_keys(s: str) -> set[str]:
    """`s` and `s` with each one character left out: two strings within one edit of each other
    share a key (an index of these finds them without comparing every pair)."""
    return {s, *(s[:i] + s[i + 1:] for i in range(len(s)))}


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Every word of jieba's dictionary."""
    return frozenset(line.partition(" ")[0] for line in _dictionary_text().splitlines())


@lru_cache(maxsize=1)
def dictionary_names() -> frozenset[str]:
    """Words jieba's dictionary tags as a person, place or organisation name."""
    tags = "|".join(_NAME_TAGS)
    return frozenset(re.findall(rf"^(\S+) \d+ (?:{tags})$", _dictionary_text(), re.M))


@lru_cache(maxsize=1)
def dictionary_persons() -> frozenset[str]:
    """Words jieba's dictionary tags as a person's name (李秀英: a name, not an everyday word)."""
    return frozenset(re.findall(r"^(\S+) \d+ (?:nr|nrt)$", _dictionary_text(), re.M))


@lru_cache(maxsize=1)
def _dictionary_pairs() -> np.ndarray:
    """Every two characters side by side inside a word of jieba's dictionary, as sorted
    codes (first << 21 | second): 1.6 MB, not a set of 400,000 strings."""
    codes = {ord(a) << 21 | ord(b) for line in _dictionary_text().splitlines()
             for word in (line.partition(" ")[0],) for a, b in zip(word, word[1:])}
    return np.array(sorted(codes), dtype=np.uint64)


def in_a_word(pair: str) -> bool:
    """Whether the two characters stand side by side in some word of the dictionary (未完 of
    未完待续, 整改; not 巳完, 院成 or 登改: what OCR makes of 已完成整改)."""
    pairs = _dictionary_pairs()
    code = ord(pair[0]) << 21 | ord(pair[1])
    i = int(pairs.searchsorted(np.uint64(code)))
    return i < len(pairs) and int(pairs[i]) == code


def _dictionary_text() -> str:
    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as f:
        return f.read().decode("utf-8")
