"""The field registry: every field of a record, spelled out once — its name, Chinese label,
catalog headers and the names a person may type (simplified, traditional, English), its index
type and roles (facet, sort, column, `field:` search), its API description and display order.
Schema, catalogs, the query language, facets, rendering, OpenAPI and the README derive from it.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass

# index types
ID, TEXT, FACET, DATE, NUMBER, STORED = "id", "text", "facet", "date", "number", "stored"
# how `name:value` searches a field
NGRAM, EXACT, RANGE = "ngram", "exact", "range"

# 密级 levels, low to high; a record without one is 内部.
SECURITY_LEVELS = ("公开", "内部", "秘密", "机密", "绝密")
DEFAULT_SECURITY = "内部"


@dataclass(frozen=True)
class Field:
    name: str  # the index field and API key
    label: str  # shown to users
    aliases: tuple[str, ...] = ()  # other names: catalog headers and query field names
    type: str = ID
    catalog: bool = True  # read from catalog.csv / sidecars
    facet: int = 0  # place in the list of facets (1 first); 0 = not a facet
    query: str = ""  # NGRAM / EXACT / RANGE: searchable as `name:value`; '' = not
    description: str = ""
    ngram: str = ""  # the n-gram index field a NGRAM `name:value` search looks in
    shown: bool = True  # a row of the record page's 著录 table

    @property
    def column(self) -> bool:
        """Kept as one exact value per record (facet counts, `name:value`, sorting)."""
        return self.type == FACET

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that refers to this field, the canonical one first."""
        return (self.name, self.label, *self.aliases)


FIELDS: tuple[Field, ...] = (
    Field("title", "题名", ("題名", "标题", "標題", "题目", "題目"), TEXT, query=NGRAM, ngram="title_ng",
          description="题名（目录所给，否则取自正文）"),
    Field("fonds", "全宗号", ("全宗號", "全宗", "fonds_number"), FACET, facet=8, query=EXACT,
          description="全宗号：档案馆给每个立档单位的编号"),
    Field("archival_code", "档号", ("檔號",), ID, query=EXACT,
          description="档号，如 0123-WS·2019-Y-0001"),
    Field("doc_number", "文号", ("文號", "发文字号", "發文字號"), ID, query=NGRAM,
          ngram="doc_number_ng",
          description="发文字号，如 新政发〔2019〕3号"),
    Field("org", "责任者", ("責任者", "作者", "机构", "機構", "发文机关", "發文機關", "发文单位",
                          "發文單位"), FACET,
          facet=4, query=NGRAM, ngram="org_ng", description="责任者（发文机关）"),
    Field("date", "日期", ("成文日期",), DATE, query=RANGE,
          description="成文日期：YYYY、YYYY-MM 或 YYYY-MM-DD"),
    Field("year", "年度", (), FACET, catalog=False, facet=3, query=EXACT,
          description="日期的年份", shown=False),
    Field("category", "门类", ("門類",), FACET, facet=1, query=EXACT,
          description="门类：文书、公安、规划……"),
    Field("kind", "文种", ("文種",), FACET, facet=2, query=EXACT,
          description="文种：决定、通知、报告……（目录所给，否则取自题名）"),
    Field("retention", "保管期限", (), FACET, facet=5, query=EXACT,
          description="保管期限：永久、长期、30年……"),
    Field("security", "密级", ("密級",), FACET, facet=6, query=EXACT,
          description="密级：公开、内部、秘密、机密、绝密"),
    Field("type", "文件类型", ("类型", "類型", "文件類型"), FACET, catalog=False, facet=7,
          query=EXACT, description="原件类型：txt、pdf、image、docx"),
    Field("review", "核对状态", ("核對狀態", "核对", "核對"), FACET, catalog=False, facet=9,
          shown=False,
          query=EXACT, description="责任者取自原件（如扫描件的版头）时：待核对＝不是已知机构，"
          "也不与已知机构只差一个字，需人工核对；已校正＝差一个字，已按已知机构校正"),
    Field("persons", "人员", ("人員", "人物", "经办人", "經辦人"), STORED, query=NGRAM, ngram="meta_ng",
          description="目录所列人员，以“；”分隔", shown=False),
    Field("notes", "备注", ("備註", "备考", "備考", "附注", "附註"), STORED, query=NGRAM, ngram="meta_ng",
          description="目录备注", shown=False),
    Field("pages", "页数", ("頁數",), NUMBER, description="页数"),
    Field("text", "正文", ("全文",), TEXT, catalog=False, query=NGRAM, ngram="text_ng",
          description="正文全文", shown=False),
    Field("path", "路径", ("文件", "路徑"), ID, description="原件在档案目录中的相对路径"),
    Field("id", "编号", ("編號",), ID, catalog=False, query=EXACT,
          description="记录编号（原件内容不变则不变）", shown=False),
)
BY_NAME = {f.name: f for f in FIELDS}


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in FIELDS:
        for name in f.names:
            key = name_key(name)
            if table.setdefault(key, f.name) != f.name:
                raise ValueError(f"field name {name!r} given to {table[key]} and {f.name}")
    return table


def name_key(name: str) -> str:
    """A field name as it is looked up: NFKC (full-width letters), without whitespace or
    invisible format characters (zero-width spaces and joiners, a BOM), case-folded, so
    `ｓｅｃｕｒｉｔｙ`, `密 级` and `密\u200b级` all name 密级."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(c for c in folded
                   if not c.isspace() and unicodedata.category(c) != "Cf").casefold()


_NAMES = _lookup()


def field_named(name: str) -> Field | None:
    """The field a typed or catalog name refers to (any of its names, any case, read as
    `name_key` reads it), or None."""
    key = _NAMES.get(name_key(name))
    return BY_NAME[key] if key else None


def catalog_key(header: str) -> str:
    """A catalog header's canonical key; an unknown header stays as written (extra metadata)."""
    f = field_named(header)
    return f.name if f is not None and f.catalog else header.strip().lstrip("\ufeff")


SHOWN = tuple(f for f in FIELDS if f.shown)  # the record page's 著录 rows, in order
FACETS = tuple(f.name for f in sorted((f for f in FIELDS if f.facet), key=lambda f: f.facet))
LABELS = {f.name: f.label for f in FIELDS}


def ngram_fields() -> dict[str, str]:
    """Field → the n-gram index field its `name:value` searches look in."""
    return {f.name: f.ngram for f in FIELDS if f.query == NGRAM}


def query_fields(kind: str) -> dict[str, str]:
    """Typed field name → canonical field, for the fields searched as `kind`."""
    return {name.lower(): f.name for f in FIELDS if f.query == kind for name in f.names}


def registry_hash() -> str:
    """Changes whenever the field set or a field's index type changes (part of the index
    stamp: an index built with another field set is refused, never a 500)."""
    shape = [(f.name, f.type, f.facet, f.query, f.ngram) for f in FIELDS]
    return hashlib.blake2b(json.dumps(shape).encode(), digest_size=8).hexdigest()


def describe() -> list[dict]:
    """The registry as plain data (OpenAPI and the README table)."""
    return [asdict(f) for f in FIELDS]
