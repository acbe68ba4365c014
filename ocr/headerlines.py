"""The red header's lines as both engines read them: one row that Tesseract split into
overlapping lines is one line again, and a character PP-OCR's recogniser left out of a
header line (鎮 of 中共杏花鎮委員會, read 中共杏花委員會 at every scale) is put back from
Tesseract's reading.

A header is a line or two of large type naming an office: a character lost there makes a
wrong 责任者. PP-OCR reads such lines better than Tesseract, but now and then drops one
character whole (its score stays high); Tesseract keeps every character's place, if not
always its shape. A Han character Tesseract read next to characters both engines read alike
(compared in simplified script), where PP-OCR has nothing, is PP-OCR's drop.
"""
from __future__ import annotations

import difflib

from . import script

# two lines are one row when they overlap by this share of the higher one's height and
# overlap left to right too (a row Tesseract read as two lines, the second starting inside
# the first: 中共查花 | 性花鎮委員會文件); the rows of a joint header beside one tall 文件
# overlap that line by half its height, and stay apart
SAME_ROW = 0.7


def merged_rows(lines: list) -> list:
    """The lines (hybrid._Line) with those overlapping in both directions joined into one,
    their words in left-to-right order; others as they are, in their order."""
    out: list = []
    for line in lines:
        host = next((o for o in out if _overlap(o.rect(), line.rect())), None)
        if host is None:
            out.append(line)
            continue
        host.words = _distinct(sorted(host.words + line.words, key=lambda w: w[2]))
        host.text = " ".join(w[0] for w in host.words)
        host.confidence = sum(w[1] for w in host.words) / len(host.words)
    return out


def _distinct(words: list) -> list:
    """Words in order with those read twice (the same place, more than half the narrower
    one's width in common) kept once: the surer reading."""
    out: list = []
    for word in words:
        if out:
            last = out[-1]
            common = min(last[2] + last[4], word[2] + word[4]) - max(last[2], word[2])
            if common > 0.5 * min(last[4], word[4]):
                out[-1] = max(last, word, key=lambda w: w[1])
                continue
        out.append(word)
    return out


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    high = min(a[3], b[3]) - max(a[1], b[1])
    wide = min(a[2], b[2]) - max(a[0], b[0])
    return wide > 0 and high > SAME_ROW * max(a[3] - a[1], b[3] - b[1])


def restore_dropped(tesseract_text: str, text: str) -> str:
    """PP-OCR's reading of a header line with a Han character put back where Tesseract read
    one and PP-OCR nothing, next to characters both read alike (on one side at least; on the
other, as many characters read otherwise), at most one such."""
    theirs = "".join(tesseract_text.split())
    if not text or len(theirs) <= len(text):
        return text
    ops = difflib.SequenceMatcher(None, _folded(theirs), _folded(text),
                                  autojunk=False).get_opcodes()
    out, restored = [], 0
    for k, (op, a0, a1, b0, b1) in enumerate(ops):
        around = [ops[k - 1], ops[k + 1]] if 0 < k < len(ops) - 1 else []
        between = (any(o[0] == "equal" for o in around) and all(
            o[0] == "equal" or (o[0] == "replace" and o[2] - o[1] == o[4] - o[3])
            for o in around))
        if op == "delete" and a1 - a0 == 1 and between and _han(theirs[a0]) and not restored:
            out.append(theirs[a0])
            restored += 1
        elif op != "delete":
            out.append(text[b0:b1])
    return "".join(out)


def _folded(text: str) -> str:
    """The text in simplified script, for aligning two readings (Tesseract reads a traditional
    header partly simplified); as it is where folding changes its length."""
    folded = script.to_simplified(text)
    return folded if len(folded) == len(text) else text


def _han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
