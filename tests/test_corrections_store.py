"""The corrections store read by `dangan index` fails closed: a run whose store lost the
corrections the index was built with (another or an empty database, the SQLite file gone, a
database user that may not read the table) stops with a clear message instead of taking the
corrections off — a raised 密级 among them; a database user without the right to create
tables works once the tables are there (tester's findings, issue 16)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import make_settings, write_corpus

from indexer.build.run import run_index
from indexer.errors import ConfigError, RecordNotFound
from indexer.search.archive import Archive
from indexer.store.corrections import CORRECTIONS_FILE, Corrections
from indexer.store.database import Database, DatabaseError

REPORT = "文书/2019/zongjie.txt"  # 公开 in the catalog


def _raised(tmp_path, url: str = ""):
    """An index whose 公开 report a 管理员 raised to 机密 (applied by a run)."""
    corpus = write_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data" / "index", corpus,
                             database={"url": url} if url else {})
    assert not run_index(settings).failed
    rid = _id(settings)
    store = Corrections(settings.data_dir, url)
    store.add("corpus", REPORT, rid, "", "security", 0, "公开", "机密", "提高密级", "管理员丁", True)
    store.close()
    run_index(settings)
    assert _level(settings, rid) == "hidden"
    return settings, rid


def _id(settings) -> str:
    from whoosh import index as whoosh_index
    with whoosh_index.open_dir(settings.index.dir).searcher() as s:
        return s.document(path=REPORT)["id"]


def _level(settings, rid: str) -> str:
    archive = Archive(settings.index.dir, settings.search)
    try:
        archive.record(rid, "公开")
        return "公开"
    except RecordNotFound:
        return "hidden" if archive.record(rid, "绝密")["security"] == "机密" else "?"
    finally:
        archive.close()


def test_a_run_whose_corrections_file_is_gone_stops_and_keeps_the_raised_level(tmp_path):
    settings, rid = _raised(tmp_path)
    (settings.data_dir / CORRECTIONS_FILE).unlink()
    with pytest.raises(ConfigError, match="holds corrections"):
        run_index(settings)
    with pytest.raises(ConfigError, match="holds corrections"):
        run_index(settings, rebuild=True)
    assert _level(settings, rid) == "hidden"


def test_a_run_pointed_at_an_empty_database_stops(tmp_path, pg_url):
    settings, rid = _raised(tmp_path)  # corrections made in corrections.sqlite
    moved = replace(settings, database=replace(settings.database, url=pg_url))
    with pytest.raises(ConfigError, match="copy corrections.sqlite"):
        run_index(moved)
    assert _level(settings, rid) == "hidden"


def test_a_database_user_who_may_not_read_the_corrections_is_refused(tmp_path, pg_url,
                                                                     pg_server):
    settings, rid = _raised(tmp_path, pg_url)
    database = pg_url.rsplit("/", 1)[1]
    pg_server._admin(database, "CREATE ROLE nosee LOGIN PASSWORD 'nosee-pw'")
    weak = f"postgresql://nosee:nosee-pw@127.0.0.1:{pg_server.port}/{database}"
    blind = replace(settings, database=replace(settings.database, url=weak))
    with pytest.raises(DatabaseError, match="refused"):
        run_index(blind)
    assert _level(settings, rid) == "hidden"


def test_a_user_without_create_rights_uses_tables_that_are_there(tmp_path, pg_url, pg_server):
    database = pg_url.rsplit("/", 1)[1]
    Corrections(tmp_path, pg_url).close()  # the owner makes the tables once
    pg_server._admin(database, "CREATE ROLE plain LOGIN PASSWORD 'plain-pw'; "
                     "GRANT USAGE ON SCHEMA public TO plain; "
                     "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO plain; "
                     "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO plain; "
                     "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    plain = f"postgresql://plain:plain-pw@127.0.0.1:{pg_server.port}/{database}"
    store = Corrections(tmp_path, plain)  # (CREATE TABLE IF NOT EXISTS was refused here)
    store.add("c", "a.txt", "x", "d", "title", 0, "旧", "新", "", "编辑甲", False)
    assert [c.new for c in store.current("c", "a.txt")] == ["新"]
    store.close()
    with pytest.raises(DatabaseError, match="CREATE on the"):
        Database(tmp_path, "x.sqlite", plain).create("CREATE TABLE IF NOT EXISTS fresh (a TEXT)")


def test_a_raised_level_is_withheld_at_once_by_every_server(tmp_path, store_url):
    """A 密级 raised in the shared store (through another server, or while a run is going
    on) is withheld from the readers below it by a server whose index still holds the lower
    level: searches, the record, suggestions and the export (tester's findings 1 and 3)."""
    import json

    from indexer.search.archive import SearchRequest
    from indexer.search.opensearch_export import ExportOptions, export_index
    from indexer.store.corrections import RaisedLevels

    corpus = write_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data" / "index", corpus,
                             database={"url": store_url} if store_url else {})
    assert not run_index(settings).failed
    rid = _id(settings)
    server = Archive(settings.index.dir, settings.search)  # the other server's index
    server.raised = RaisedLevels(settings.data_dir, store_url)
    title = server.record(rid, "公开")["title"]

    def seen(clearance: str) -> bool:
        hits = server.search(SearchRequest(q=title, size=50, clearance=clearance)).hits
        return rid in {h.fields["id"] for h in hits}
    assert seen("公开") and seen("内部")
    store = Corrections(settings.data_dir, store_url)  # what the first server writes
    store.add("corpus", REPORT, rid, "", "security", 0, "公开", "秘密", "提高密级", "管理员丁", True)
    assert not seen("公开") and not seen("内部") and seen("秘密") and seen("绝密")
    with pytest.raises(RecordNotFound):
        server.record(rid, "内部")
    assert server.record(rid, "秘密")["title"] == title
    assert not [c for c in server.suggest(title[:4], "公开") if c.text == title]
    out = tmp_path / "export"
    export_index(settings, out, ExportOptions())
    docs = [json.loads(line) for f in sorted(out.glob("bulk-*.ndjson"))
            for line in f.read_text(encoding="utf-8").splitlines()]
    mine = next(d for d in docs if d.get("id") == rid)
    assert (mine["security"], mine["security_rank"]) == ("秘密", 2)
    store.revert("corpus", REPORT, "security", 0, "管理员丁")  # taken back: seen again
    assert seen("公开")
    store.close()
    server.close()
