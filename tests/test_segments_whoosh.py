"""Our postings writer against Whoosh's own: the same records, written by our batch writer
(several commits, a tiered merge, deletions) and by Whoosh's `add_document` in one commit,
read back through Whoosh's public reader, give the same terms, posting lists (weights and
positions), field lengths, columns and stored fields. A Whoosh upgrade that changes the
segment layout our writer imitates fails here, not in production."""
import random

from whoosh import index as whoosh_index

from indexer.analysis.words import analyzer_for
from indexer.build.prepare import analyse
from indexer.store.manifest import Entry, Manifest
from indexer.store.records import Record, record_fields
from indexer.store.schema import build_schema
from indexer.store.writer import BatchWriter

PHRASES = ["王建成负责档案保密", "新政发〔2019〕3号", "鄉(xiāng)鎮檔案館", "乡 镇 档 案 管 理",
           "ABC 123 档案", "交通安全管理工作的通知", "二〇一九年五月十二日", "卜剑平同志", "0717-7083",
           "中华人民共和国国务院", "Tel: 0196-7083221", "半月镇人民政府文件"]
CATEGORIES = ["文书", "公安", "规划"]
LEVELS = ["公开", "内部", "秘密", "机密", "绝密"]


def make_fields(n: int, rng: random.Random) -> dict:
    text = "。".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 12)))
    record = Record(
        id=f"{n:016x}", path=f"box{n % 4}/f{n:03d}.txt", source="c", text=text,
        page_starts=(0, len(text) // 2) if n % 3 == 0 else (0,),
        title=rng.choice(PHRASES)[:12], doc_number=f"新政发〔{2000 + n % 20}〕{n}号",
        org=rng.choice(["新塘桥镇人民政府", "半月镇人民政府", ""]),
        date=f"{2000 + n % 20}-0{1 + n % 9}-1{n % 10}" if n % 5 else "",
        category=rng.choice(CATEGORIES), security=rng.choice(LEVELS), type="txt",
        meta={"persons": "王建成；卜剑平"} if n % 4 == 0 else {})
    return record_fields(record)


def entry(fields: dict) -> Entry:
    return Entry(fields["source"], fields["path"], 1, 1, "", fields["id"], "ok")


def ours(folder, records: list[dict], deleted: list[dict]):
    ix = whoosh_index.create_in(folder, build_schema())
    manifest = Manifest(folder)
    writer = BatchWriter(ix, manifest, every=3, seconds=1e9, indexed=set())
    for fields in records:  # 3 records a commit: enough segments for a tiered merge
        writer.add(fields, analyse(fields, analyzer_for()), entry(fields))
        if writer.due():
            writer.commit()
    writer.commit(final=True)
    writer = BatchWriter(ix, manifest, every=3, seconds=1e9,
                         indexed={(f["source"], f["path"]) for f in records})
    for fields in deleted:
        writer.delete(fields["source"], fields["path"])
    writer.commit(final=True)
    manifest.db.close()
    return whoosh_index.open_dir(folder)


def whoosh_own(folder, records: list[dict]):
    ix = whoosh_index.create_in(folder, build_schema())
    w = ix.writer()
    for fields in records:
        w.add_document(**fields)
    w.commit()
    return ix


def snapshot(ix) -> dict:
    """Everything a search can read, keyed by record id (docnums differ between indexes)."""
    out = {"postings": {}, "lengths": {}, "stored": {}, "columns": {}}
    with ix.reader() as r:
        ids = {d: r.stored_fields(d)["id"] for d in r.all_doc_ids()}
        schema = ix.schema
        for field, btext in r.all_terms():
            m = r.postings(field, btext)
            items = []
            while m.is_active():
                items.append((ids[m.id()], m.weight(), m.value()))
                m.next()
            if items:  # a term whose documents were all deleted reads as none
                out["postings"][(field, btext)] = sorted(items)
        for docnum, rid in ids.items():
            out["stored"][rid] = r.stored_fields(docnum)
            # a field no document of a segment has: no length column (None) or 0, both 0
            out["lengths"][rid] = {name: r.doc_field_length(docnum, name) or 0
                                   for name in schema.scorable_names()}
        for name in schema.names():
            if schema[name].column_type is not None and r.has_column(name):
                column = r.column_reader(name)
                out["columns"][name] = {rid: column[d] for d, rid in ids.items()}
    return out


def test_our_segments_read_back_exactly_like_whooshs_own(tmp_path):
    rng = random.Random(7)
    records = [make_fields(n, rng) for n in range(40)]
    deleted = rng.sample(records, 6)
    (tmp_path / "ours").mkdir()
    (tmp_path / "whoosh").mkdir()
    mine = ours(tmp_path / "ours", records, deleted)
    assert len(mine._segments()) > 1 and any(s.has_deletions() for s in mine._segments())
    kept = [f for f in records if f not in deleted]
    reference = snapshot(whoosh_own(tmp_path / "whoosh", kept))
    got = snapshot(mine)
    assert set(got["stored"]) == {f["id"] for f in kept}
    assert got["stored"] == reference["stored"]
    assert got["lengths"] == reference["lengths"]
    assert got["columns"] == reference["columns"]
    assert got["postings"].keys() == reference["postings"].keys()
    for key, items in reference["postings"].items():
        assert got["postings"][key] == items, key
