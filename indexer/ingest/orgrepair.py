"""A 责任者 read from a scan's red header, checked against the organisations the catalogs name:
one character off one of them (当阳市档守局 for 当阳市档案局) is taken for it, with a warning."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from ..analysis.names import is_organisation, near_keys, within_one
from ..analysis.normalize import fold_value


def known_organisations(words: Iterable[str]) -> frozenset[str]:
    """The organisations among a run's user words (catalog 责任者 and persons, configured
    words), folded as facet values are."""
    return frozenset(w for w in (fold_value(x) for x in words) if is_organisation(w))


def repaired(org: str, known: frozenset[str]) -> tuple[str, str]:
    """(责任者, warning): a read 责任者 one character from exactly one known organisation
    becomes that organisation; anything else stays as read (warning '')."""
    value = fold_value(org)
    if not value or value in known:
        return value, ""
    index = _near_index(known)
    near = sorted({k for key in near_keys(value) for k in index.get(key, ())
                   if within_one(value, k)})
    if len(near) != 1:
        return value, ""
    return near[0], f"责任者“{value}”（识别所得）按目录中的机构名称校正为“{near[0]}”"


@lru_cache(maxsize=4)
def _near_index(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The organisations by `near_keys` (made once per run's set: a catalog of thousands of
    organisations is not compared with every record's 责任者)."""
    index: dict[str, list[str]] = defaultdict(list)
    for org in known:
        for key in near_keys(org):
            index[key].append(org)
    return {k: tuple(v) for k, v in index.items()}
