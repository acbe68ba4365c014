"""What a few records hold where a term has one character changed: the character itself, read
from their stored text, instead of guessed from look-alikes and frequent continuations (a scan
that read 司马卫鹏 as 司冯卫鹏 is found whatever the confusion was)."""
from __future__ import annotations

import numpy as np

from ..analysis.gramkeys import text_units
from ..analysis.normalize import is_cjk, normalize
from ..store.arrays import IndexArrays
from . import execute

# the stored field each n-gram field indexes as it is (meta_ng and doc_number_ng are not read)
FIELD_TEXT = {"text_ng": "text", "title_ng": "title", "org_ng": "org"}
MAX_RECORDS = 4  # a change held by more records is guessed as before (too many to read)
AHEAD_RECORDS = 16  # … when worked out as the index is written (vartable): no one waits
MAX_CHARS = 50_000  # a longer record is not read for it


def chars_at(arrays: IndexArrays, field: str, starts: np.ndarray, place: int,
             term: str, memo: dict | None = None,
             limit: int = MAX_RECORDS) -> tuple[set[str], bool] | None:
    """The Chinese characters that stand `place` units after each start key of `field` (where
    `term` occurs with that character changed), read from the records' stored text, and
    whether that is all there is (False: something else, a digit or a sign, stands there,
    or the rest of the term is not there as it is); None when that cannot be told so: a
    field not read back, more than `limit` records, a record over MAX_CHARS, or a text
    whose units are not where the index says (then nothing read is trusted). `memo` keeps
    each record's units for the rest of a search."""
    name = FIELD_TEXT.get(field)
    docs = execute.docs_of(starts)
    if name is None or len(docs) > limit:
        return None
    found: set[str] = set()
    whole = True
    memo = {} if memo is None else memo
    wanted = np.array([ord(c) for c in term], dtype=np.int64)
    others = np.arange(len(term)) != place
    for doc in docs.tolist():
        if (name, doc) not in memo:
            text = arrays.stored_fields(doc).get(name) or ""
            memo[(name, doc)] = None if len(text) > MAX_CHARS else text_units(
                normalize(text).text)
        held = memo[(name, doc)]
        if held is None:
            return None
        for start in execute.starts_in(starts, doc).tolist():
            spots = start + np.arange(len(term))
            at = held.pos.searchsorted(spots)
            if at[-1] >= len(held.pos) or (held.pos[at] != spots).any():
                return None  # (the index and the text disagree: guess instead)
            ids = held.ids[at]
            if (ids[others] != wanted[others]).any() or ids[place] >= 0x110000:
                whole = False  # not the term with this one character changed (a part of
                continue  # one character is not looked up: 己完成整改 for 已?成整改)
            x = chr(int(ids[place]))
            if is_cjk(x):
                found.add(x)
            else:
                whole = False  # (no character a Chinese one was misread as: not offered)
    return found, whole
