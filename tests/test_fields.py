"""The field registry names every field once; what other modules spell out agrees with it."""
from indexer import fields
from indexer.search import querylang
from indexer.store.schema import FACETS


def test_every_name_the_query_language_knows_means_the_same_field():
    for table in (querylang.TEXT_FIELDS, querylang.EXACT_FIELDS, querylang.DATE_FIELDS):
        for typed, canonical in table.items():
            assert fields.field_named(typed).name == canonical, typed


# the catalog headers read before the registry (each must still mean the same field)
HEADERS = {
    "path": ("文件", "path"), "archival_code": ("档号", "archival_code"), "title": ("题名", "title"),
    "org": ("责任者", "org"), "doc_number": ("文号", "doc_number"), "date": ("日期", "date"),
    "category": ("门类", "category"), "kind": ("文种", "kind"),
    "retention": ("保管期限", "retention"), "security": ("密级", "security"),
    "pages": ("页数", "pages"), "notes": ("备注", "notes"), "persons": ("人员", "persons"),
}


def test_every_catalog_header_means_the_same_field():
    for key, names in HEADERS.items():
        for name in names:
            assert fields.catalog_key(name) == key, name
            assert fields.catalog_key("\ufeff" + name.upper()) == key
    assert fields.catalog_key("档案馆代码") == "档案馆代码"  # unknown: kept as extra metadata


def test_traditional_and_everyday_aliases():
    assert fields.field_named("題名").name == "title"
    assert fields.field_named("作者").name == "org"
    assert fields.field_named("人員").name == "persons"
    assert fields.field_named("備註").name == "notes"
    assert fields.field_named("全文").name == "text"
    assert fields.field_named("电话") is None


def test_facets_and_stamp():
    assert fields.FACETS == FACETS
    assert len(fields.registry_hash()) == 16
