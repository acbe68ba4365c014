"""The field registry names every field once; what other modules spell out agrees with it."""
from indexer import fields
from indexer.search import querylang
from indexer.store.schema import FACETS


# the field names the query language knew before the registry (each must still mean the same)
QUERY_NAMES = {
    "title": "title", "题名": "title", "标题": "title", "org": "org", "责任者": "org",
    "机构": "org", "doc_number": "doc_number", "文号": "doc_number", "text": "text",
    "正文": "text", "全文": "text", "category": "category", "门类": "category", "kind": "kind",
    "文种": "kind", "year": "year", "年度": "year", "retention": "retention",
    "保管期限": "retention", "security": "security", "密级": "security", "type": "type",
    "类型": "type", "文件类型": "type", "archival_code": "archival_code",
    "档号": "archival_code", "id": "id", "date": "date", "日期": "date",
}


def test_every_name_the_query_language_knew_means_the_same_field():
    tables = {**querylang.TEXT_FIELDS, **querylang.EXACT_FIELDS, **querylang.DATE_FIELDS}
    for typed, canonical in QUERY_NAMES.items():
        assert fields.field_named(typed).name == canonical, typed
        assert tables[typed] == canonical, typed


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


def test_a_facet_is_one_registry_entry_fonds_from_catalog_to_facet_filter_and_query(tmp_path):
    """全宗号 (fonds) exists only as a registry entry: read from the catalog, a facet with
    counts, a filter, and a `全宗号:` search."""
    from conftest import make_settings

    from indexer.build.run import run_index
    from indexer.search.archive import Archive, SearchRequest

    corpus = tmp_path / "c"
    corpus.mkdir()
    for name, body in (("a.txt", "档案工作总结甲"), ("b.txt", "档案工作总结乙"), ("c.txt", "档案移交")):
        (corpus / name).write_text(body, encoding="utf-8")
    (corpus / "catalog.csv").write_text(
        "文件,全宗號,密级\na.txt,0123,公开\nb.txt,0456,公开\nc.txt,0123,公开\n", encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        result = archive.search(SearchRequest(q="档案", clearance="公开"))
        assert {v.value: v.count for v in result.facets["fonds"]} == {"0123": 2, "0456": 1}
        only = archive.search(SearchRequest(q="档案", clearance="公开", filters={"fonds": ("0123",)}))
        assert sorted(h.fields["path"] for h in only.hits) == ["a.txt", "c.txt"]
        assert all(h.fields["fonds"] == "0123" for h in only.hits)
        typed = archive.search(SearchRequest(q="全宗号:0456", clearance="公开"))
        assert [h.fields["path"] for h in typed.hits] == ["b.txt"]
    finally:
        archive.close()


def test_an_index_built_with_another_field_set_is_refused_with_the_command_to_run(tmp_path):
    import json

    import pytest

    from indexer.errors import IndexVersionError
    from indexer.store.schema import STAMP_FILE, check_stamp, write_stamp

    write_stamp(tmp_path)
    check_stamp(tmp_path)
    stamp = json.loads((tmp_path / STAMP_FILE).read_text(encoding="utf-8"))
    stamp["fields"] = "an older field set"
    (tmp_path / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
    with pytest.raises(IndexVersionError, match="dangan index --rebuild"):
        check_stamp(tmp_path)
