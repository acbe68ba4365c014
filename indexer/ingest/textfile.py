"""Plain-text records: encoding detection (UTF-8, GB18030/GBK, Big5) and page splitting."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ..analysis.normalize import FORMAT_CHARS
from ..errors import ExtractionError
from .extracted import ExtractContext, Extracted

# Encodings we accept for .txt records, in the spelling we record.
_CANDIDATES = ("gb18030", "big5", "utf_16")
_NAMES = {"utf_8": "utf-8", "gb18030": "gb18030", "big5": "big5", "utf_16": "utf-16"}
_PAGE_END = re.compile(
    r"第\s*[0-9一二三四五六七八九十]+\s*页\s*[,，/、]?\s*共\s*[0-9一二三四五六七八九十]+\s*页[ \t]*\n?"
)

# blanks, control characters (a file of NUL bytes) and invisible format characters: no text
_BLANK = re.compile(f"[\\s\\x00-\\x1f\\x7f{FORMAT_CHARS}]*")


def decode(data: bytes, cut: bool = False) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding). Raises ExtractionError.

    cut: `data` is the start of a longer file (a character cut in two at its end is left
    out)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", cut), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", cut), "utf-16"
    try:
        text = _decode(data, "utf-8", cut)
    except UnicodeDecodeError:
        pass
    else:
        if _HZ.search(text) and len(_HZ.findall(text)) >= 2:  # 7-bit HZ: GB2312 between ~{ ~}
            try:
                return _decode(data, "hz", cut), "hz"
            except UnicodeDecodeError:
                pass
        return text, "utf-8"
    whole = data[:data.rfind(b"\n") + 1] or data if cut else data  # (a line break is never
    # part of a GB18030 or Big5 character: detection does not see one cut in two)
    best = from_bytes(whole, cp_isolation=list(_CANDIDATES)).best()
    if best is None:
        raise ExtractionError(
            "cannot decode the text: it is not valid UTF-8, GB18030/GBK or Big5 "
            "(re-save the file in one of these encodings)"
        )
    encoding = _NAMES.get(best.encoding, best.encoding)
    return _strict(data, encoding, cut), encoding


_HZ = re.compile(r"~\{[\x21-\x77][\x21-\x7e]")  # HZ's shift into GB2312 before a character


def _decode(data: bytes, encoding: str, cut: bool) -> str:
    return codecs.getincrementaldecoder(encoding)().decode(data, final=not cut)


def _strict(data: bytes, encoding: str, cut: bool = False) -> str:
    try:
        return _decode(data, encoding, cut)
    except UnicodeDecodeError as e:
        raise ExtractionError(
            f"undecodable bytes at offset {e.start} for encoding {encoding}"
        ) from e


def page_starts(text: str) -> tuple[int, ...]:
    """Offsets where pages start: after each form feed and each 第N页 共M页 marker."""
    starts = [0]
    for m in re.finditer(r"\f", text):
        starts.append(m.end())
    for m in _PAGE_END.finditer(text):
        starts.append(m.end())
    starts = sorted(set(s for s in starts if s < len(text)))
    return tuple(starts) or (0,)


class TextExtractor:
    """Plain text in UTF-8, GB18030/GBK or Big5; pages split at form feeds and page markers."""

    type = "txt"
    magic = ()

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        # no character takes more than 4 bytes: this much holds the max_text_chars kept
        limit = 4 * ctx.max_text_chars + 4 if ctx.max_text_chars else -1
        with path.open("rb") as f:
            data = f.read(limit)
            cut = bool(f.read(1)) if limit >= 0 else False
        if not data:
            raise ExtractionError("the file is empty (0 bytes)")
        text, encoding = decode(data, cut)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _BLANK.fullmatch(text):
            raise ExtractionError("the file holds no text (only blanks or control characters)")
        return Extracted(text=text, page_starts=page_starts(text), encoding=encoding)
