"""Is a PDF page's text layer trustworthy? Empty, (cid:) runs, invalid characters, or too few
characters that form dictionary words mean it is not (broken fonts give plausible garbage)."""
from __future__ import annotations

import re
import unicodedata

from ..analysis.words import base_analyzer

MIN_CHARS = 20  # fewer characters than this: judged only for emptiness and (cid:)
MIN_WORD_SHARE = 0.35  # garbage scores ~0.04, good Chinese text ~0.85
_CJK = re.compile(r"[\u3400-\u9fff]")


def judge_text_layer(text: str) -> str | None:
    """None when the layer is good, else a short Chinese reason (used in the record's warning)."""
    stripped = re.sub(r"\s+", "", text)
    if not stripped:
        return "没有文字层"
    if "(cid:" in text:
        return "文字层字体编码损坏"
    bad = sum(1 for ch in stripped if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co",
                                                                                     "Cs"))
    if bad / len(stripped) > 0.02:
        return "文字层含有无效字符"
    cjk = _CJK.findall(stripped)
    if len(cjk) >= MIN_CHARS and base_analyzer().dictionary_word_share(stripped) < MIN_WORD_SHARE:
        return "文字层疑似乱码"
    return None
