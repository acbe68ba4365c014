"""`dangan export-opensearch`: the index written out as an OpenSearch / Elasticsearch mapping and
_bulk files — every live record once, documents that fit the strict mapping, normalised and
segmented text beside the original, batches, a folder that appears only when complete, and a
row in the 查阅登记."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_settings, top_request

from indexer.analysis.analyzers import ANALYSIS_VERSION
from indexer.analysis.normalize import normalize_text
from indexer.errors import ConfigError
from indexer.search.opensearch_export import ExportOptions, export_index
from indexer.fields import FIELDS, SECURITY_LEVELS, registry_hash
from search_app.audit import AuditLog
from search_app.cli import main
from search_app.register import action_label, describe


def data_folder(tmp_path: Path, built_index) -> Path:
    """A data folder of its own (the register) over the shared index."""
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "index").exists():
        (data / "index").symlink_to(built_index.index.dir)
    return data


def config_for(tmp_path: Path, built_index, index_dir: str = "data/index") -> Path:
    data_folder(tmp_path, built_index)
    corpus = built_index.corpus.paths[0].as_posix()
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "{index_dir}"\n[corpus]\npaths = ["{corpus}"]\n',
                   encoding="utf-8")
    return cfg


def export(cfg: Path, out: Path, *args: str):
    return CliRunner().invoke(main, ["export-opensearch", str(out), "--config", str(cfg), *args])


def bulk_files(out: Path) -> list[Path]:
    return sorted(out.glob("bulk-*.ndjson"))


def read_bulk(out: Path) -> list[tuple[dict, dict]]:
    """(action, document) pairs of every bulk file, in order."""
    pairs = []
    for path in bulk_files(out):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) % 2 == 0, path
        pairs += [(json.loads(a), json.loads(d)) for a, d in zip(lines[::2], lines[1::2])]
    return pairs


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith((".partial", ".old"))]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, built_index):
    tmp = tmp_path_factory.mktemp("osexport")
    cfg = config_for(tmp, built_index)
    result = export(cfg, tmp / "out")
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for _a, d in read_bulk(tmp / "out")}
    return tmp, result.output, docs


def live_ids(archive) -> list[str]:
    with archive.pinned() as (searcher, arrays):
        return sorted(searcher.stored_fields(int(d))["id"] for d in arrays.live())


def by_path(docs: dict, path: str) -> dict:
    (doc,) = [d for d in docs.values() if d["path"] == path]
    return doc


def test_every_live_record_is_exported_exactly_once(exported, archive):
    tmp, output, _docs = exported
    pairs = read_bulk(tmp / "out")
    ids = [a["index"]["_id"] for a, _d in pairs]
    assert sorted(ids) == live_ids(archive) and len(set(ids)) == len(ids) == 6
    assert all(a == {"index": {"_index": "dangan", "_id": d["id"]}} for a, d in pairs)
    assert "exported 6 records in 1 bulk file" in output
    assert sorted(p.name for p in (tmp / "out").iterdir()) == [
        "README.txt", "bulk-00001.ndjson", "mapping.json"]
    assert leftovers(tmp) == []
    assert (tmp / "out").stat().st_mode & 0o077 == 0  # every record's text: owner only


KEYWORD, TEXT_TYPES = ("keyword",), ("text",)


def fits(value, spec: dict) -> bool:
    """Whether a document value is one the field's mapping takes."""
    if value is None:
        return True
    if isinstance(value, list):
        return all(fits(v, spec) for v in value)
    kind = spec["type"]
    if kind in ("keyword", "text"):
        return isinstance(value, str)
    if kind in ("integer", "long", "byte"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "date":
        return bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))
    return False


def undeclared(doc: dict, properties: dict, prefix: str = "") -> list[str]:
    """Keys of a document (recursively, into objects) that the mapping does not declare."""
    missing = []
    for key, value in doc.items():
        spec = properties.get(key)
        if spec is None:
            missing.append(prefix + key)
        elif isinstance(value, dict):
            missing += undeclared(value, spec.get("properties", {}), f"{prefix}{key}.")
        elif not fits(value, spec):
            missing.append(f"{prefix}{key} ({value!r} is not {spec['type']})")
    return missing


def test_the_mapping_is_strict_and_its_properties_are_the_documents_fields(exported):
    tmp, _output, docs = exported
    body = json.loads((tmp / "out" / "mapping.json").read_text(encoding="utf-8"))
    mappings = body["mappings"]
    assert mappings["dynamic"] == "strict"
    props = mappings["properties"]
    for doc in docs.values():
        assert undeclared(doc, props) == []
        assert set(doc) == set(props)  # every property is a key (None where no value)
    meta = mappings["_meta"]
    assert meta["analysis_version"] == ANALYSIS_VERSION
    assert meta["field_registry_hash"] == registry_hash()
    assert meta["dangan_version"] and meta["records"] == 6 and meta["index"] == "dangan"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["exported_at"])
    analysis = body["settings"]["analysis"]
    tokenizer = analysis["tokenizer"]["dangan_ngram"]
    assert (tokenizer["type"], tokenizer["min_gram"], tokenizer["max_gram"]) == ("ngram", 1, 2)
    assert tokenizer["token_chars"] == ["letter", "digit"]
    assert analysis["analyzer"]["dangan_words"]["tokenizer"] == "whitespace"
    analyzers = set(analysis["analyzer"]) | {"standard"}
    for name, spec in props.items():  # every analyzer named is defined
        for sub in [spec, *spec.get("fields", {}).values()]:
            assert sub.get("analyzer", "standard") in analyzers, name
    # the registry decides the types
    for f in FIELDS:
        assert f.name in props, f.name
    assert props["date"] == {"type": "date", "format": "yyyy||yyyy-MM||yyyy-MM-dd"}
    assert props["security"]["type"] == "keyword" and props["security_rank"]["type"] == "integer"
    assert props["pages"]["type"] == "integer" and props["category"]["type"] == "keyword"
    for name in ("title", "text"):
        assert props[f"{name}_norm"]["fields"]["ngram"]["analyzer"] == "dangan_ngram"
        assert props[f"{name}_words"]["analyzer"] == "dangan_words"
    assert props["doc_number"]["type"] == "keyword"  # exact, and by n-gram:
    assert props["doc_number_norm"]["fields"]["ngram"]["analyzer"] == "dangan_ngram"


def test_a_clearance_is_a_range_of_security_rank(exported):
    _tmp, _output, docs = exported
    for doc in docs.values():
        assert doc["security_rank"] == SECURITY_LEVELS.index(doc["security"])
    assert by_path(docs, "公安/2021/jiaojing.txt")["security_rank"] == 2  # 秘密: exported too


def test_traditional_text_is_normalised_and_the_original_kept(exported):
    _tmp, _output, docs = exported
    doc = by_path(docs, "文书/2021/xiangzhen.txt")
    assert "檔案" in doc["text"] and "鄉(xiāng)" in doc["text"]  # as the file wrote it
    assert "档案" in doc["text_norm"] and "檔" not in doc["text_norm"]
    assert doc["text_norm"].startswith("乡镇政府年终工作总结")  # pinyin annotations out
    assert doc["title"] == "鄉鎮政府年終工作總結" and doc["title_norm"] == "乡镇政府年终工作总结"
    assert "档案" in doc["text_words"].split()  # jieba's word, from the index's own analysis
    ocr = by_path(docs, "公安/2019/ocr.txt")  # OCR spaces between characters repaired
    assert "档 案" in ocr["text"] and "乡镇档案管理工作计划" in ocr["text_norm"]


def test_page_starts_place_a_hit_on_its_page(exported):
    _tmp, _output, docs = exported
    doc = by_path(docs, "公安/2021/jiaojing.txt")
    assert len(doc["page_starts"]) == len(doc["page_starts_norm"]) == doc["pages"] == 2
    assert doc["text"][doc["page_starts"][1]:].startswith("管理力量")
    assert doc["text_norm"][doc["page_starts_norm"][1]:].startswith("管理力量")


SEARCHED = ("title", "text", "doc_number", "org", "persons", "notes")


def found(docs: dict, query: str) -> set[str]:
    """Records whose normalised fields hold the query normalised (what a match_phrase on the
    `*_norm.ngram` sub-fields finds)."""
    q = normalize_text(query)
    return {i for i, d in docs.items() if any(q in (d[f"{f}_norm"] or "") for f in SEARCHED)}


@pytest.mark.parametrize("query", [
    "档案保密",  # traditional 檔案保密, OCR-spaced 档 案 保 密 and simplified alike
    "檔案保密",  # the reverse: a traditional query finds the simplified records
    "卜剑平",  # a name unknown to the dictionary
    "〔2019〕3号",  # a 文号 with digits and 〔〕
    "交管部门",  # a word inside an unspaced run
    "李秀英",  # only in the catalog's 人员
])
def test_chinese_regression_the_export_finds_what_dangan_finds(exported, archive, query):
    _tmp, _output, docs = exported
    result = archive.search(top_request(q=query, size=100))
    exact = {h.fields["id"] for h in result.hits if h.match == "exact"}
    assert exact and found(docs, query) == exact


def test_the_words_are_dangans_segmentation(exported):
    _tmp, _output, docs = exported
    words = by_path(docs, "文书/2019/zongjie.txt")["text_words"].split()
    assert {"档案", "保密", "王建成"} <= set(words)  # 王建成: a user word of this index
    assert "，" not in words and "。" not in words  # punctuation is not a word


def test_batch_splits_the_bulk_files(tmp_path, built_index):
    cfg = config_for(tmp_path, built_index)
    result = export(cfg, tmp_path / "out", "--batch", "2", "--index-name", "archive-2024")
    assert result.exit_code == 0, result.output
    files = bulk_files(tmp_path / "out")
    assert [p.name for p in files] == ["bulk-00001.ndjson", "bulk-00002.ndjson",
                                       "bulk-00003.ndjson"]
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 4
        for action in lines[::2]:
            assert json.loads(action)["index"]["_index"] == "archive-2024"
    readme = (tmp_path / "out" / "README.txt").read_text(encoding="utf-8")
    assert "curl -XPUT 'http://HOST:9200/archive-2024'" in readme and "security_rank" in readme
    assert "@mapping.json" in readme and "application/x-ndjson" in readme


def test_a_bulk_file_never_grows_past_its_byte_limit(tmp_path, built_index):
    settings = make_settings(data_folder(tmp_path, built_index) / "index")
    summary = export_index(settings, tmp_path / "out", ExportOptions(max_file_bytes=1500))
    files = bulk_files(tmp_path / "out")
    assert len(files) == len(summary.bulk_files) > 1 and summary.records == 6
    for path in files:  # over the limit only when one record alone is bigger
        lines = path.read_text(encoding="utf-8").splitlines()
        assert path.stat().st_size <= 1500 or len(lines) == 2, path
    assert len(read_bulk(tmp_path / "out")) == 6


def test_a_non_empty_target_is_refused_and_left_alone_unless_forced(tmp_path, built_index):
    cfg = config_for(tmp_path, built_index)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("别动", encoding="utf-8")
    result = export(cfg, out)
    assert result.exit_code == 2
    assert "exists and is not empty" in result.output and "--force" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "别动"
    assert leftovers(tmp_path) == []
    result = export(cfg, out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "keep.txt").exists() and (out / "mapping.json").is_file()
    assert len(read_bulk(out)) == 6 and leftovers(tmp_path) == []


def test_an_empty_target_folder_is_used(tmp_path, built_index):
    cfg = config_for(tmp_path, built_index)
    (tmp_path / "out").mkdir()
    assert export(cfg, tmp_path / "out").exit_code == 0
    assert len(read_bulk(tmp_path / "out")) == 6


def test_an_empty_disk_of_its_own_is_written_inside(tmp_path, built_index, monkeypatch):
    """An empty mount point (a disk for the export) cannot be renamed onto: the export is
    written inside it, then moved into place file by file, the parent's disk never used; a
    mount point holding files is not --forced over (tester's finding)."""
    import indexer.search.opensearch_export as module

    disk = tmp_path / "disk"
    disk.mkdir()
    real = module._own_disk
    monkeypatch.setattr(module, "_own_disk", lambda out: out == disk or real(out))
    seen = []
    original = module._write_records

    def watched(work, *args, **kwargs):
        seen.append(work.parent)
        return original(work, *args, **kwargs)
    monkeypatch.setattr(module, "_write_records", watched)
    cfg = config_for(tmp_path, built_index)
    result = export(cfg, disk)
    assert result.exit_code == 0, result.output
    assert seen == [disk] and len(read_bulk(disk)) == 6 and (disk / "mapping.json").is_file()
    assert not [p for p in disk.iterdir() if p.name.startswith(".")] and leftovers(tmp_path) == []
    result = export(cfg, disk, "--force")
    assert result.exit_code == 2 and "disk of its own" in result.output
    assert len(read_bulk(disk)) == 6


def test_forced_exports_never_replace_the_index_data_or_corpus(tmp_path, built_index):
    cfg = config_for(tmp_path, built_index)
    for target in (tmp_path / "data" / "index", built_index.index.dir, tmp_path / "data", tmp_path,
                   built_index.corpus.paths[0], built_index.corpus.paths[0] / "out"):
        result = export(cfg, target, "--force")
        assert result.exit_code == 2, (target, result.output)
        assert "choose" in result.output
    assert (built_index.index.dir / "dangan.json").is_file()


def test_a_missing_index_is_a_clear_error(tmp_path, built_index):
    cfg = config_for(tmp_path, built_index, index_dir="elsewhere/index")
    result = export(cfg, tmp_path / "out")
    assert result.exit_code == 2
    assert "no index in" in result.output and "run dangan index first" in result.output
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def test_a_bad_index_name_is_a_usage_error(tmp_path, built_index):
    result = export(config_for(tmp_path, built_index), tmp_path / "out", "--index-name", "Dang An")
    assert result.exit_code == 2 and "index name" in result.output
    assert not (tmp_path / "out").exists()


def test_a_failed_export_leaves_no_folder(tmp_path, built_index, monkeypatch):
    import indexer.search.opensearch_export as module

    settings = make_settings(data_folder(tmp_path, built_index) / "index")
    made = []

    def failing(stored, analyzer):
        if len(made) == 3:
            raise OSError(28, "No space left on device")
        made.append(stored["id"])
        return real(stored, analyzer)

    real = module.document
    monkeypatch.setattr(module, "document", failing)
    with pytest.raises(OSError):
        export_index(settings, tmp_path / "out")
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []
    made.clear()
    result = export(config_for(tmp_path, built_index), tmp_path / "out")
    assert result.exit_code == 3 and "the export failed" in result.output
    assert "No space left on device" in result.output
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []
    monkeypatch.setattr(module, "document", real)

    def unrecorded(summary):
        raise ConfigError("the register cannot be written")

    with pytest.raises(ConfigError):  # an export the register does not hold is not published
        export_index(settings, tmp_path / "out", registered=unrecorded)
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def test_the_export_is_in_the_register(exported):
    tmp, _output, _docs = exported
    log = AuditLog(tmp / "data")
    (row,) = log.find(action="export-index")
    log.close()
    detail = json.loads(row.detail)
    assert row.user == "（控制台）" and row.clearance == "绝密"
    assert detail["records"] == 6 and detail["folder"] == str(tmp / "out")
    assert action_label(row.action) == "导出整个索引" and "记录 6 条" in describe(row.detail)


def test_a_document_made_from_stored_fields_alone():
    from indexer.analysis.words import base_analyzer
    from indexer.store.opensearch import document, properties

    doc = document({"id": "ab12", "title": "關於檔案", "date": "一九四九年", "security": "机密",
                    "pages": 1, "meta": {"notes": "補記"}}, base_analyzer())
    assert set(doc) == set(properties())
    assert doc["date"] is None  # not a form the engine reads: left out, never guessed
    assert doc["title_norm"] == "关于档案" and doc["title_words"] == "关于 档案"
    assert doc["notes"] == "補記" and doc["notes_norm"] == "补记"  # catalog values from meta
    assert doc["security_rank"] == 3 and doc["text"] is None and doc["page_starts"] == [0]


def test_the_engine_is_told_to_highlight_in_long_texts():
    from indexer.store.opensearch import mapping

    assert "index" not in mapping({}, 5000)["settings"]
    long = mapping({}, 2_000_000)["settings"]["index"]
    assert long == {"highlight": {"max_analyzed_offset": 2_000_001}}
