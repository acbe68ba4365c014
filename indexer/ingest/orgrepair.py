"""A 责任者 read from a record's own text (a scan's red header), checked against the
organisations the archive knows — the catalogs', the configured list, and values several
records of the archive carry: one character off one of them (当阳市档守局 for 当阳市档案局) is
taken for it, with a warning; a value neither known nor that near is marked 待核对."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from ..analysis.confusions import confusion_counts
from ..analysis.names import is_organisation, near_keys, within_one
from ..analysis.normalize import fold_value

REVIEW = "review"  # the field (and record meta key) that holds the status below
TO_CHECK = "待核对"  # read from the text, not known, not one character off a known one
CORRECTED = "已校正"  # read from the text one character off a known one, and put right
FREQUENT = 3  # records that carry a 责任者 read the same way before the archive trusts it
WARNING_HEAD = "责任者“"  # every warning of this module starts so (dropped when redone)


def known_organisations(words: Iterable[str], configured: Iterable[str] = ()) -> frozenset[str]:
    """The organisations among a run's user words (catalog 责任者 and persons, configured
    words) and every configured organisation ([index] organisations), folded as facet
    values are."""
    named = (w for w in (fold_value(x) for x in words) if is_organisation(w))
    return frozenset([*named, *(w for w in (fold_value(x) for x in configured) if w)])


def repaired(org: str, known: frozenset[str]) -> tuple[str, str]:
    """(责任者, warning): a read 责任者 one character from one known organisation (or, of
    several, the one OCR confuses it with most) becomes that organisation; anything else
    stays as read (warning '')."""
    value = fold_value(org)
    if not value or value in known:
        return value, ""
    index = _near_index(known)
    near = closest(value, {k for key in near_keys(value) for k in index.get(key, ())})
    if not near:
        return value, ""
    return near, f"{WARNING_HEAD}{value}”（识别所得）按已知机构名称校正为“{near}”"


def reviewed(org: str, known: frozenset[str]) -> tuple[str, str, str]:
    """(责任者, status, warning) of a 责任者 read from the text: known (status ''), put right
    (CORRECTED) or to be checked by a person (TO_CHECK)."""
    value, warning = repaired(org, known)
    if warning:
        return value, CORRECTED, warning
    if value in known:
        return value, "", ""
    return value, TO_CHECK, (f"{WARNING_HEAD}{value}”（识别所得）不是已知机构，也不与已知机构"
                             f"只差一个字：{TO_CHECK}")


def trusted_values(counts: dict[str, int]) -> frozenset[str]:
    """The 责任者 values FREQUENT or more records of the archive carry."""
    return frozenset(o for o, n in counts.items() if n >= FREQUENT)


def settled(org: str, counts: dict[str, int], known: frozenset[str] = frozenset(),
            trusted: frozenset[str] | None = None) -> tuple[str, str, str] | None:
    """For a record marked TO_CHECK, given how many records of the archive carry each 责任者
    (`trusted`: trusted_values(counts), made once for many records) and the organisations
    known now: (责任者, status, warning) when that changes — the value is known or trusted,
    or one character off one — else None."""
    if org in known or counts.get(org, 0) >= FREQUENT:
        return org, "", ""
    value, warning = repaired(org, known)
    if warning:
        return value, CORRECTED, warning
    index = _near_index(trusted_values(counts) if trusted is None else trusted)
    near = closest(org, {o for key in near_keys(org) for o in index.get(key, ())})
    if not near:
        return None
    return near, CORRECTED, (f"{WARNING_HEAD}{org}”（识别所得）按本档案多份记录的责任者"
                             f"校正为“{near}”")


def closest(value: str, candidates: Iterable[str]) -> str:
    """The one candidate within one character of `value`; of several, the one whose changed
    character OCR misreads most often for the one read (confusions.tsv); '' when none is
    or several are equally likely."""
    near = sorted(c for c in set(candidates) if c != value and within_one(value, c))
    if len(near) <= 1:
        return near[0] if near else ""
    counts = confusion_counts()
    scored = sorted(((_swap_count(value, c, counts), c) for c in near), reverse=True)
    return scored[0][1] if scored[0][0] > scored[1][0] else ""


def _swap_count(read: str, name: str, counts: dict[tuple[str, str], int]) -> int:
    """How often OCR confuses the character `read` has where `name` differs (0: not a swap)."""
    if len(read) != len(name):
        return 0
    pairs = [(a, b) for a, b in zip(read, name) if a != b]
    return counts.get(pairs[0], 0) if len(pairs) == 1 else 0


@lru_cache(maxsize=4)
def _near_index(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The organisations by `near_keys` (made once per run's set: a catalog of thousands of
    organisations is not compared with every record's 责任者)."""
    index: dict[str, list[str]] = defaultdict(list)
    for org in known:
        for key in near_keys(org):
            index[key].append(org)
    return {k: tuple(v) for k, v in index.items()}
