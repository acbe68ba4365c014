"""What a query term may have been meant as: one character off (an OCR misread, a homophone, a
typo), a name typed in pinyin or initials, an organisation's short form, an abbreviation, a
文号 typed without its brackets. Only variants some visible record contains are kept."""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass

from ..analysis.normalize import is_cjk, normalize
from ..analysis.confusions import lookalikes
from ..analysis.names import dictionary_names, dictionary_persons, dictionary_words, in_a_word
from ..analysis.phonetic import homophones, pinyin_keys
from .lexicon import Lexicon, lengthened

MAX_VARIANTS = 8  # per term, best first
MAX_TYPO_CANDIDATES = 6  # arbitrary one-character changes tried per place in a term
TWO_OFF_CHARS = 7  # terms this long may have two characters changed
MISREAD_NAMES = 2  # names a term was read as whose OCR misreadings are looked for too
RARE = 4  # a common term's misreading read back is held by at most a quarter as many records
MAX_SYNONYM_FORMS = 16  # a term's abbreviations written out, in every combination, at most

_PHONE = re.compile(r"0\d{9,11}")  # a telephone number with its area code, typed without the dash

# kinds, best first: (weight, label)
NAME, SHORT, PINYIN, DOCNUM, OCR, SYNONYM, HOMOPHONE, INITIALS, TYPO = (
    "name", "short", "pinyin", "docnum", "ocr", "synonym", "homophone", "initials", "typo")
WEIGHTS = {NAME: 9, SHORT: 9, PINYIN: 9, DOCNUM: 9, OCR: 7, SYNONYM: 7, HOMOPHONE: 6,
           INITIALS: 5, TYPO: 3}

# shipped abbreviations of everyday government language; [search] synonyms adds more. A bare
# abbreviation covers the offices named with it (发改 = 发展和改革: 发改局, 发改委)
SYNONYMS = (
    "计生=计划生育", "交管=交通管理", "综治=社会治安综合治理", "人大=人民代表大会",
    "政协=政治协商会议", "纪委=纪律检查委员会", "纪检=纪律检查", "组织部=党委组织部",
    "宣传部=党委宣传部", "统战=统一战线", "政法委=政法委员会", "常委会=常务委员会",
    "发改=发展和改革", "发改委=发展和改革委员会", "经信委=经济和信息化委员会",
    "卫计委=卫生和计划生育委员会",
    "卫健委=卫生健康委员会", "卫健=卫生健康", "人社=人力资源和社会保障",
    "住建=住房和城乡建设", "自规=自然资源和规划", "国土=国土资源", "环保=环境保护",
    "农委=农业委员会", "教委=教育委员会", "科委=科学技术委员会", "计委=计划委员会",
    "安监=安全生产监督管理", "工商=工商行政管理", "质监=质量技术监督",
    "市监=市场监督管理", "市场监管=市场监督管理", "应急局=应急管理局", "食药监=食品药品监督管理",
    "城管=城市管理", "城建=城市建设", "医保=医疗保险", "医保=医疗保障", "社保=社会保险",
    "社保=社会保障", "人武部=人民武装部", "编办=机构编制委员会办公室", "老干局=老干部局",
    "妇联=妇女联合会", "残联=残疾人联合会", "侨联=归国华侨联合会", "文联=文学艺术界联合会",
    "工商联=工商业联合会", "科协=科学技术协会", "团委=共青团委员会", "爱卫会=爱国卫生运动委员会",
    "双拥=拥军优属拥政爱民", "五保=五保供养", "低保=最低生活保障", "新农合=新型农村合作医疗",
    "两委=村党支部委员会和村民委员会", "村委=村民委员会", "居委=居民委员会",
    "扶贫办=扶贫开发办公室", "防汛=防汛抗旱", "维稳=维护稳定", "交警=交通警察",
    "刑警=刑事警察",
)
_DOCNUM = re.compile(r"^(?P<prefix>[\u4e00-\u9fff]{1,12}?)?[\s(（〔\[【{]*(?P<year>(?:19|20)\d{2})"
                     r"[\s)）〕\]】}]*(?:年度?|[-－—–]|[/.])?[\s]*第?\s*(?P<number>\d{1,4})\s*号?$")


@dataclass(frozen=True)
class Variant:
    text: str
    kind: str

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


def synonym_table(extra: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Groups of interchangeable spellings (shipped list plus `[search] synonyms`)."""
    groups = []
    for line in (*SYNONYMS, *extra):
        group = tuple(dict.fromkeys(normalize(p.strip()).text for p in line.split("=")
                                    if p.strip()))
        if len(group) >= 2:
            groups.append(group)
    return groups


def docnum_forms(text: str) -> list[str]:
    """A 文号 typed loosely (当档发2008 7号, 当档发2008年7号, 当档发(2008)第7号, 当档发2008-7号,
    当档发2008年度7号, 2008年7号) in its
    written form 当档发〔2008〕7号 (or 〔2008〕7号 without a prefix)."""
    m = _DOCNUM.match(normalize(text).text.strip())
    if not m or not (m.group("prefix") or "号" in text or "〔" in text or "第" in text):
        return []
    canonical = f"{m.group('prefix') or ''}〔{m.group('year')}〕{int(m.group('number'))}号"
    return [canonical]


_DOCNUM_HEAD = re.compile(r"(?P<prefix>[\u4e00-\u9fff]{1,12}?)[\s(（〔\[【]*(?P<year>(?:19|20)\d{2})"
                          r"[\s)）〕\]】]*(?:年度?)?")


def docnum_head(text: str) -> str:
    """The beginning of a 文号 being typed, up to its year, as 文号 write it (当档发2008 and
    当档发(2008 are 当档发〔2008〕); "" when `text` is no such beginning."""
    m = _DOCNUM_HEAD.fullmatch(normalize(text).text.strip())
    return f"{m.group('prefix')}〔{m.group('year')}〕" if m else ""


def toneless(typed: str) -> str:
    """Pinyin typed with its tone marks (wáng jiàn chéng, lǚ) as it is typed without them
    (wang jian cheng, lv); anything else unchanged but for its accents."""
    plain = "".join(c for c in unicodedata.normalize("NFD", typed.replace("ü", "v")
                                                     .replace("Ü", "V"))
                    if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain)


_NUMBERED = re.compile("[〇零]|[一二三四五六七八九十]{2,}[年月日号]")  # a number written out


def _everyday(term: str) -> bool:
    """Whether `term` is a word of the dictionary that is no person's name (公安局, 档案馆; not
    李秀英): a name the archive knows that is also such a word is looked for as a word."""
    return term in dictionary_words() and term not in dictionary_persons()


@lru_cache(maxsize=8192)
def _sounding(ch: str) -> tuple[str, ...]:
    """The homophones of a character, in a fixed order."""
    return tuple(sorted(homophones(ch)))


def warm_variant_tables() -> None:
    """Build the process's homophone and look-alike tables now (made once, then shared by
    every search), as a server worker starts rather than in a clerk's first search."""
    homophones("档")
    lookalikes("档")
    dictionary_words(), dictionary_names(), dictionary_persons()  # (~0.1 s each)
    in_a_word("档案")


class VariantFinder:
    """Variants of the terms of one search. `count(text)` says how many records the reader may
    see hold `text` exactly; `followers(ch)` which characters follow `ch` in the index, each
    with the number of records holding the pair, commonest first; `fits(*parts)` whether
    some visible record holds the parts with any one character between each two; `lookalikes(ch)` characters
    OCR confuses with `ch`."""

    def __init__(self, lexicon: Lexicon, count: Callable[[str], int],
                 followers: Callable[[str], dict[str, int]],
                 fits: Callable[..., bool],
                 lookalikes: Callable[[str], tuple[str, ...]],
                 synonyms: list[tuple[str, ...]],
                 pair: Callable[[str], bool] | None = None,
                 pairs: Callable[[list[str]], list[bool]] | None = None,
                 read: Callable[[str, int], tuple[set[str], bool] | None] | None = None,
                 misread_of: Callable[[str, bool], dict[str, str] | None] | None = None,
                 middle: Callable[[str], tuple[set[str], bool] | None] | None = None):
        self.lexicon = lexicon
        self.misread_of = misread_of  # a name's misreadings worked out ahead (vartable), or None
        self.middle = middle  # what the records hold in the middle of a three-character term
        self.pair = pair  # whether a two-character gram is indexed (without all `followers`)
        self.pairs = pairs  # `pair` of several grams at once
        self.read = read  # what the records `fits` found hold in place of term[i], and
        # whether that is all of them (None: not known)
        self.count = count
        self.followers = followers
        self.fits = fits
        self.lookalikes = lookalikes
        self.synonyms = synonyms

    def for_term(self, typed: str, changes: bool = True,
                 misreadings: bool = False) -> list[Variant]:
        """Variants of one term that some visible record holds, best first; `changes`:
        also characters changed (not for a term that matches plenty); `misreadings`: else
        still its characters OCR confuses (交通管里 for a common 交通管理)."""
        term = normalize(typed).text.strip()
        found: dict[str, str] = {}
        plain = toneless(typed)
        if re.fullmatch(r"[A-Za-z' ]+", plain.strip()):
            self._pinyin(plain, found)
        else:
            self._docnum(typed, found)
            if _PHONE.fullmatch(term):  # 07173245678 typed for 0717-3245678
                for cut in (3, 4):
                    found.setdefault(f"{term[:cut]}-{term[cut:]}", SYNONYM)
            for full in (*self.lexicon.short_forms.get(term, ()), *self.lexicon.contracted(term)):
                found.setdefault(full, SHORT)
            if changes and SHORT not in found.values() and not self.count(term):
                for full in lengthened(term):  # an office no catalog names, typed short
                    found.setdefault(full, SHORT)  # (当阳市政府 of a text's 当阳市人民政府)
            self._synonyms(term, found)
            if _NUMBERED.search(term):
                pass  # 〇一六年: another numeral is another year, not a misreading of this one
            elif changes and sum(is_cjk(c) for c in term) >= 3 and DOCNUM not in found.values():
                if (term not in self.lexicon.names and term not in self.lexicon.short_forms
                        and not self.count(term)):
                    # a typo of a name the archive knows (a known name or short form is not,
                    # nor a word records hold as typed: 档案员 is no typo of 档案局)
                    for name in self.lexicon.one_off(term):
                        found.setdefault(name, NAME)
                        for full in self.lexicon.short_forms.get(name, ()):
                            found.setdefault(full, SHORT)  # 泗洪法愿: 泗洪法院, 泗洪县人民法院
                if not any(self.count(t) for t, kind in found.items() if kind in (NAME, SHORT)):
                    # (a known name or organisation that a record holds is what was meant:
                    # any other one-character change of the term is not looked for)
                    self._one_off(term, found)
                    if len(term) >= TWO_OFF_CHARS and not self._kept(term, dict(found)):
                        self._two_off(term, found)
            elif changes and len(term) == 2 and all(map(is_cjk, term)) and not self.count(term):
                self._sounding_names(term, found)
            elif misreadings and sum(is_cjk(c) for c in term) >= 3:
                self._misread(term, found, read=True, garbled=True)
        self._names_misread(found)
        if term in self.lexicon.names:  # (a homophone or look-alike that a catalog names is
            # another person: 王建城 is not 王建成 misread, 刘春艳 not 刘春燕)
            found = {t: kind for t, kind in found.items()
                     if kind not in (OCR, HOMOPHONE, TYPO) or t not in self.lexicon.curated}
        return self._kept(term, found)

    def for_words(self, typed: list[str]) -> list[Variant]:
        """Variants of several adjacent terms read together (wang jian cheng, 当档发2008 7号)."""
        joined = "".join(t.strip() for t in typed)
        found: dict[str, str] = {}
        if re.fullmatch(r"[A-Za-z']+", toneless(joined)):
            self._pinyin(toneless(joined), found)
        else:
            self._docnum(" ".join(typed), found)
        self._names_misread(found)
        return self._kept(normalize(joined).text, found)

    def _names_misread(self, found: dict[str, str]) -> None:
        """The names a term was read as (a typo's, pinyin's or short form's) as OCR misread
        them too: 司马卫朋 finds 司马卫鹏 and the scan that reads 司冯卫鹏, as 司马卫鹏 typed would
        (look-alikes only; the first few names some record holds)."""
        named = (t for t, kind in found.items() if kind in (NAME, SHORT, PINYIN, INITIALS)
                 and sum(is_cjk(c) for c in t) >= 3)
        held = (t for t in named if self.count(t))  # (counted one by one, as far as needed)
        for name in list(itertools.islice(held, MISREAD_NAMES)):
            # (a person's name: what its records hold, read; an organisation's: guessed, as a
            # long name's changes cost more to look for)
            read = found[name] != SHORT and len(name) <= 4
            misread = self.misread_of(name, read) if self.misread_of is not None else None
            if misread is None:
                misread = {}
                self._misread(name, misread, read=read)
            for text, kind in misread.items():
                found.setdefault(text, kind)

    def _kept(self, term: str, found: dict[str, str]) -> list[Variant]:
        ranked = sorted(((WEIGHTS[k], t) for t, k in found.items() if t and t != term),
                        key=lambda x: (-x[0], x[1]))
        out = []
        for _w, text in ranked:
            if self.count(text):
                out.append(Variant(text, found[text]))
                if len(out) >= MAX_VARIANTS:
                    break
        return out

    def _pinyin(self, typed: str, found: dict[str, str]) -> None:
        key = typed.lower().replace(" ", "").replace("'", "")
        for name in self.lexicon.resolve_pinyin(key):
            spelled_out = len(key) > len(name)
            found.setdefault(name, PINYIN if spelled_out else INITIALS)

    def _sounding_names(self, term: str, found: dict[str, str]) -> None:
        """A two-character term no record holds as typed: the names the archive knows that
        sound the same (章伟 and 张玮 for 张伟), and the words of the dictionary with one
        character typed for a homophone (保秘 for 保密; any other edit of two characters says
        too little)."""
        for key in pinyin_keys(term):
            if len(key) > len(term):  # (spelled out, not initials)
                for name in self.lexicon.resolve_pinyin(key):
                    if len(name) == len(term) and name != term:
                        found.setdefault(name, HOMOPHONE)
        words = dictionary_words()
        for i, ch in enumerate(term):
            for x in _sounding(ch):
                word = term[:i] + x + term[i + 1:]
                if word in words:
                    found.setdefault(word, HOMOPHONE)

    def _docnum(self, typed: str, found: dict[str, str]) -> None:
        for form in docnum_forms(typed):
            found.setdefault(form, DOCNUM)

    def _synonyms(self, term: str, found: dict[str, str]) -> None:
        """`term` with each abbreviation in it written out, and the reverse; several in one
        term (人大常委会: 人民代表大会常务委员会, 人大常务委员会 …) in every combination."""
        forms = [term]
        for group in self.synonyms:
            for member in group:
                if member not in term:
                    continue
                forms += [f.replace(member, other) for f in forms if member in f
                          for other in group if other != member]
                forms = list(dict.fromkeys(forms))[:MAX_SYNONYM_FORMS]
        for form in forms[1:]:
            found.setdefault(form, SYNONYM)

    def _one_off(self, term: str, found: dict[str, str]) -> None:
        """One character of `term` misread, mistyped, left out or put in. Where records hold
        `term` as typed and it names no one or is an everyday word (公安局), it is a word of the
        archive's own: only what OCR misreads it as (look-alikes, homophones) is looked for,
        never other words one character away (档案员 is not 档案局, 档案室 or 档案的; 档案整理 not
        档案管理; 公安局 not 公安交 of 公安交警)."""
        known = term in self.lexicon.names
        worded = (not known or _everyday(term)) and self.count(term) > 0
        cjk = all(is_cjk(c) for c in term)
        for i, ch in enumerate(term):
            if not is_cjk(ch) or (cjk and not self.fits(term[:i], term[i + 1:], besides=term)):
                continue  # no record holds anything in place of this character
            if cjk and self._read_instead(term, i, found, others=not worded,
                                          garbled=worded and 0 < i < len(term) - 1):
                continue  # (all it holds there read: nothing to guess)
            before = term[i - 1] if i else ""
            nxt = term[i + 1] if i + 1 < len(term) else ""
            for x in self._joining(before, self.lookalikes(ch), nxt):  # (else no record
                found.setdefault(term[:i] + x + term[i + 1:], OCR)  # can hold it: not counted)
            for x in self._joining(before, _sounding(ch), nxt):
                found.setdefault(term[:i] + x + term[i + 1:], HOMOPHONE)
            if not before or worded:
                continue
            tried = 0
            for x in self._likeliest(before):  # the commonest continuations first
                variant = term[:i] + x + term[i + 1:]
                if known and self._another(term, i, variant):
                    continue  # another person (李秀明 of 李秀英), not a misreading
                if x != ch and self._joins("", x, nxt) and (known or self._worded(variant, i)):
                    found.setdefault(variant, TYPO)  # (x follows `before` somewhere)
                    tried += 1
                    if tried >= MAX_TYPO_CANDIDATES:
                        break
        if known or worded or len(term) < 4:
            return
        for i in range(1, len(term)):  # one character left out
            if cjk and not self.fits(term[:i], term[i:]):
                continue
            tried = 0
            for x in self._likeliest(term[i - 1]):
                if self.frequency(x + term[i]):
                    found.setdefault(term[:i] + x + term[i:], TYPO)
                    tried += 1
                    if tried >= MAX_TYPO_CANDIDATES:
                        break
        for i in range(1, len(term) - 1):  # one character too many (at an end: a mere part)
            found.setdefault(term[:i] + term[i + 1:], TYPO)

    def _misread(self, term: str, found: dict[str, str], read: bool = False,
                 garbled: bool = False) -> None:
        """One character read as a look-alike (OCR's confusions) where both its grams are
        indexed: no alignment, no homophones or typos (for a term with plenty of exact hits).
        With `read` (a name a term was read as), where `fits` finds that character changed in
        a few records, what they hold there instead."""
        cjk = all(is_cjk(c) for c in term)
        for i, ch in enumerate(term):
            if not is_cjk(ch):
                continue
            if garbled and cjk and len(term) == 3 and i == 1 and self.middle is not None:
                held = self.middle(term)  # (河仗制 for 河长制: no alignment finds a middle)
                if held is not None:
                    self._held_instead(term, i, held[0], found, garbled=True)
                    if held[1]:
                        continue
            elif read and cjk and self.read is not None and (
                    not garbled or 0 < i < len(term) - 1):
                # (a common term's ends are not read back: what follows 提高 in the records is
                # 提高了, 提高全 … — language, not what OCR made of 提高业)
                if not self.fits(term[:i], term[i + 1:], besides=term):
                    continue
                if self._read_instead(term, i, found, garbled=garbled):
                    continue  # (all its records hold there read: nothing to guess)
            before = term[i - 1] if i else ""
            nxt = term[i + 1] if i + 1 < len(term) else ""
            for x in self._joining(before, self.lookalikes(ch), nxt):
                found.setdefault(term[:i] + x + term[i + 1:], OCR)

    def _read_instead(self, term: str, i: int, found: dict[str, str],
                      others: bool = True, garbled: bool = False) -> bool:
        """What the records `fits` found hold in place of term[i], read (`_held_instead`);
        True when that is all of them (nothing left to guess there)."""
        read = self.read(term, i) if self.read is not None else None
        if read is None:
            return False
        self._held_instead(term, i, read[0], found, others, garbled)
        return read[1]

    def _held_instead(self, term: str, i: int, held: set[str], found: dict[str, str],
                      others: bool = True, garbled: bool = False) -> None:
        """The variants of `term` with what records hold in place of term[i] (read): a
        look-alike or homophone as guessing would label it; with `others`, any other
        character unless the result names someone else (`_another`) or, for a term that is no
        name, makes a fragment (`_worded`: 档案源 is not 档案整 of 档案整理)."""
        ch = term[i]
        named = term in self.lexicon.names and not _everyday(term)
        for x in sorted(held - {ch}):
            variant = term[:i] + x + term[i + 1:]
            if x in self.lookalikes(ch):
                found.setdefault(variant, OCR)
            elif garbled:  # (a common term: what OCR made of it is rare and no Chinese)
                if self._garbled(variant, i) and self.count(variant) * RARE <= self.count(term):
                    found.setdefault(variant, HOMOPHONE if x in _sounding(ch) else OCR)
            elif x in _sounding(ch):
                found.setdefault(variant, HOMOPHONE)
            elif others and not self._another(term, i, variant) and (
                    named or self._worded(variant, i)):
                found.setdefault(variant, TYPO)

    def _garbled(self, text: str, i: int) -> bool:
        """Whether text[i], read back where a common term has another character, makes no
        Chinese with its neighbours — no word covers it and neither pair it forms stands in a
        word of the dictionary: what OCR made of the term (巳完成整改, 已院成整改, 已完成登改),
        not another phrase (未完成整改: 未完 as in 未完待续)."""
        pairs = [text[a:a + 2] for a in (i - 1, i) if a >= 0 and a + 2 <= len(text)]
        return not self._worded(text, i) and not any(
            all(map(is_cjk, p)) and in_a_word(p) for p in pairs)

    def _worded(self, text: str, i: int) -> bool:
        """Whether a word of the dictionary, or a name the archive knows, of two to four
        characters covers text[i] (交通安全管理's 理 in 管理; not 档案的's 的 nor 半月镇人's 人: a
        guess that makes a fragment is no typo of a word)."""
        words = dictionary_words()
        return any(text[a:b] in words or text[a:b] in self.lexicon.names
                   for a in range(max(0, i - 3), i + 1)
                   for b in range(max(i + 1, a + 2), min(len(text), a + 4) + 1))

    def _another(self, term: str, i: int, variant: str) -> bool:
        """Whether `variant`, `term` with term[i] changed to neither a look-alike nor a
        homophone, names someone or somewhere else: a name a catalog gives; for a term of three
        characters, where two kept say little, with its first character changed any name the
        archive knows, a word of the dictionary or one it tags as a name (匹亮慧 is 区亮慧
        misread; 李建成 is another person than 王建成, 襄阳市 another city than 当阳市); with
        another changed, a name the archive knows held by as many records as `term` or more
        (王建华 beside 王建国: a misreading is rarer than what it misreads, as 孟鑫图 of 孟鑫国)."""
        if variant in self.lexicon.curated:
            return True
        if len(term) > 3:
            return False
        if i == 0:
            return self._named(variant)
        return variant in self.lexicon.names and self.count(variant) >= self.count(term)

    def _named(self, text: str) -> bool:
        """Whether `text` or its first two characters name someone or somewhere: a name the
        archive knows, a word of the dictionary or one it tags as a name (襄阳 of 襄阳市)."""
        return (text in self.lexicon.names or text in dictionary_words()
                or text[:2] in dictionary_names())

    def _two_off(self, term: str, found: dict[str, str]) -> None:
        """Two characters misread or mistyped in a long term: look-alikes and homophones
        (those that join their neighbours) at two places some record has changed."""
        if not all(is_cjk(c) for c in term):
            return
        for i in range(len(term)):
            for j in range(i + 2, len(term)):  # (two adjacent places: a different word)
                if not self.fits(term[:i], term[i + 1:j], term[j + 1:], besides=term):
                    continue
                firsts = self._preferred(term, i)
                for x in firsts:
                    changed = term[:i] + x + term[i + 1:]
                    for y in self._preferred(changed, j):
                        found.setdefault(changed[:j] + y + changed[j + 1:], TYPO)

    def _preferred(self, term: str, i: int) -> list[str]:
        """Look-alikes and homophones of term[i] that join its neighbours."""
        before = term[i - 1] if i else ""
        nxt = term[i + 1] if i + 1 < len(term) else ""
        options = [*self.lookalikes(term[i]), *_sounding(term[i])]
        return self._joining(before, list(dict.fromkeys(options)), nxt)

    def _likeliest(self, before: str) -> list[str]:
        """The characters that follow `before` in the index, the most frequent pair first."""
        return list(self.followers(before))

    def frequency(self, gram: str) -> int:
        """In how many records a two-character gram is indexed (or, given `pair`, whether)."""
        if self.pair is not None:
            return int(self.pair(gram))
        return self.followers(gram[0]).get(gram[1:], 0)

    def _joining(self, before: str, options, nxt: str) -> list[str]:
        """The characters of `options` that can stand between the neighbours (`_joins`), the
        grams of all of them looked up at once: those before, then those after for the rest."""
        if self.pairs is None:
            return [x for x in options if self._joins(before, x, nxt)]
        kept = list(options)
        for side in ((lambda x: before + x) if before else None,
                     (lambda x: x + nxt) if nxt else None):
            if side is not None and kept:
                kept = [x for x, ok in zip(kept, self.pairs([side(x) for x in kept])) if ok]
        return kept

    def _joins(self, before: str, x: str, nxt: str) -> bool:
        """Whether x can stand between its neighbours: both grams are indexed."""
        return (not before or self.frequency(before + x)) and (not nxt or self.frequency(x + nxt))
