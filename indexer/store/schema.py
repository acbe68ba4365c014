"""The Whoosh schema, in one function, and the index stamp (analysis version and field
registry: an index built with other analysis or another field set is refused)."""
from __future__ import annotations

import json
from pathlib import Path

from whoosh import columns, fields

from ..analysis.analyzers import ANALYSIS_VERSION, NgramFormat, ngram_analyzer, word_analyzer
from ..analysis.words import Analyzer
from ..errors import IndexVersionError
from ..fields import FACETS, SECURITY_LEVELS, registry_hash

STAMP_FILE = "dangan.json"
USER_WORDS_FILE = "userwords.txt"
CATALOG_NAMES_FILE = "catalognames.txt"  # the user words the catalogs gave (not the config)

__all__ = ["FACETS", "build_schema", "write_stamp", "check_stamp", "security_level"]


def build_schema(analyzer: Analyzer | None = None) -> fields.Schema:
    """The schema; its word fields segment with `analyzer` (None: jieba's dictionary alone)
    when used directly, which dangan's own writer never does (workers send postings)."""
    words, grams = word_analyzer(analyzer), ngram_analyzer()

    def facet():
        return fields.ID(stored=True, sortable=True)

    def ngrams():
        field = fields.TEXT(analyzer=grams, phrase=True)
        field.format = NgramFormat(field_boost=1.0)
        return field

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        source=fields.ID(stored=True),  # which corpus root the path is relative to
        title=fields.TEXT(analyzer=words, stored=True, phrase=False),
        title_ng=ngrams(),
        text=fields.TEXT(analyzer=words, stored=True, phrase=False),
        text_ng=ngrams(),
        doc_number=fields.ID(stored=True),
        doc_number_ng=ngrams(),
        org_ng=ngrams(),
        meta_ng=ngrams(),  # persons, notes and 档号 from the catalog, searchable like text
        archival_code=fields.ID(stored=True),
        date=fields.ID(stored=True, sortable=True),
        date_num=fields.NUMERIC(int, bits=32, sortable=True),
        security_level=fields.NUMERIC(int, bits=8, sortable=True),
        pages=fields.NUMERIC(int, stored=True),
        page_starts=fields.STORED(),
        meta=fields.STORED(),  # everything else: encoding, warnings, notes, extra columns
        boxes=boxes_field(),  # where the text is drawn on the page images, read on demand
        **{name: facet() for name in FACETS},
    )


def boxes_field() -> fields.COLUMN:
    """A column, not a stored field: a search reading its hits' stored fields never loads
    the boxes, which only the hit boxes of one record's page need."""
    return fields.COLUMN(columns.VarBytesColumn())


def add_boxes_field(ix) -> None:
    """Give an index made before boxes were kept the column (its records have none until
    their files are read again: dangan index --rebuild)."""
    if "boxes" not in ix.schema:
        w = ix.writer()
        w.add_field("boxes", boxes_field())
        w.commit(merge=False)


def write_stamp(index_dir: Path) -> None:
    (index_dir / STAMP_FILE).write_text(
        json.dumps({"analysis_version": ANALYSIS_VERSION, "fields": registry_hash()}),
        encoding="utf-8"
    )


def check_stamp(index_dir: Path) -> None:
    """Refuse an index built by a different analysis version or with another field set."""
    try:
        stamp = json.loads((index_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}
    found = stamp.get("analysis_version")
    if found != ANALYSIS_VERSION:
        raise IndexVersionError(
            f"the index in {index_dir} was built by analysis version {found or 'unknown'}, "
            f"this program uses {ANALYSIS_VERSION}: run dangan index --rebuild"
        )
    if stamp.get("fields") != registry_hash():
        raise IndexVersionError(
            f"the index in {index_dir} was built with another set of fields than this program "
            "knows (a field or facet was added or changed): run dangan index --rebuild")


def security_level(value: str) -> int:
    return SECURITY_LEVELS.index(value) if value in SECURITY_LEVELS else 1
