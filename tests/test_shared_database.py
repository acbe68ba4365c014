"""Two servers behind a load balancer on one PostgreSQL database ([database] url): two apps
with data folders of their own over one index share the accounts and tokens, one 查阅登记 and
one store of corrections, and so does a real `dangan serve` (gunicorn workers forked, each with
connections of its own); nothing of it is kept in SQLite files beside either index."""
from __future__ import annotations

import json

import pytest
import requests
from whoosh import index as whoosh_index
from conftest import login, make_settings, write_corpus
from pg import PASSWORD as DATABASE_PASSWORD

from indexer.build.run import run_index
from indexer.store.corrections import CORRECTIONS_FILE, current_all
from search_app.accounts import ACCOUNTS_FILE, ADMIN, EDITOR, READER
from search_app.app import create_app
from search_app.audit import AUDIT_FILE
from search_app.throttle import THROTTLE_FILE
from test_server import serving

PASSWORD = "shared database password"
POLICE = "公安/2021/jiaojing.txt"  # 秘密, two pages


@pytest.fixture()
def servers(tmp_path, pg_url):
    corpus = write_corpus(tmp_path / "corpus")
    database = {"url": pg_url}
    one = make_settings(tmp_path / "one" / "index", corpus, database=database)
    assert not run_index(one).failed
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "index").symlink_to(one.index.dir)  # the same index, another data dir
    two = make_settings(tmp_path / "two" / "index", corpus, database=database)
    apps = [create_app(one), create_app(two)]
    for app in apps:
        app.config.update(TESTING=True)
    return apps


@pytest.mark.server
def test_two_servers_share_accounts_tokens_register_and_corrections(servers, tmp_path, pg_url):
    one, two = servers
    accounts_one, accounts_two = (a.extensions["dangan.accounts"] for a in servers)
    accounts_one.add("管理员甲", PASSWORD, ADMIN, "绝密")
    accounts_one.add("编辑乙", PASSWORD, EDITOR, "秘密")
    accounts_one.add("读者丙", PASSWORD, READER, "秘密")

    # an account made on one server logs in on the other; disabled on one, refused on both
    assert login(two.test_client(), "读者丙", PASSWORD).status_code == 303
    accounts_one.disable("读者丙")
    refused = login(two.test_client(), "读者丙", PASSWORD)
    assert refused.status_code == 401 and "账号已停用" in refused.get_data(as_text=True)
    assert not accounts_two.get("读者丙").active

    # a token made on one server reads on the other; each read lands in the one register
    _, secret = one.extensions["dangan.tokens"].create("编辑乙", 30)
    auth = {"Authorization": f"Bearer {secret}"}
    found = two.test_client().get("/api/search", query_string={"q": "交警"}, headers=auth)
    assert found.status_code == 200 and found.get_json()["total"] == 1
    rid = found.get_json()["hits"][0]["id"]
    assert one.test_client().get(f"/api/records/{rid}", headers=auth).status_code == 200
    for app in servers:
        reads = app.extensions["dangan.audit"].find(user="编辑乙")
        assert [(r.action, r.record, r.query) for r in reads] == [
            ("record", rid, ""), ("search", "", "交警")]

    # a correction saved on one server is listed on the other, and the indexer reads it
    put = one.test_client().put(f"/api/records/{rid}/pages/2/text", headers=auth,
                                json={"text": "查获交通肇事逃逸嫌疑车辆六十八台。",
                                      "note": "对照原件"})
    assert put.status_code == 200, put.get_json()
    listed = two.test_client().get(f"/api/records/{rid}/corrections", headers=auth).get_json()
    assert [(c["page"], c["user"], c["note"]) for c in listed["corrections"]] == [
        (2, "编辑乙", "对照原件")]
    assert [c.page for c in current_all(tmp_path / "two", pg_url)[("corpus", POLICE)]] == [2]
    assert [r.action for r in two.extensions["dangan.audit"].find(action="correct")] == [
        "correct"]

    # a real `dangan serve` (2 workers) with a third data folder: same token, same register
    (tmp_path / "three").mkdir()
    (tmp_path / "three" / "index").symlink_to(tmp_path / "one" / "index")
    config = tmp_path / "three" / "config.toml"
    config.write_text(f'[index]\ndir = "index"\n[server]\nworkers = 2\n'
                      f"[database]\nurl = {json.dumps(pg_url)}\n", encoding="utf-8")
    with serving(config, tmp_path / "three") as (base, _proc, _first, _port):
        for _ in range(6):  # enough requests that both workers answer some
            r = requests.get(f"{base}/api/records/{rid}/corrections", headers=auth, timeout=30)
            assert r.status_code == 200 and len(r.json()["corrections"]) == 1
    reads = one.extensions["dangan.audit"].find(user="编辑乙", record=rid)
    assert len(reads) == 1 + 1 + 1 + 6  # record, correction, listed on two, six on the server
    log = (tmp_path / "three" / "serve.log").read_text()
    assert "Traceback" not in log and DATABASE_PASSWORD not in log

    for data in (tmp_path / "one", tmp_path / "two", tmp_path / "three"):
        for name in (ACCOUNTS_FILE, AUDIT_FILE, THROTTLE_FILE, CORRECTIONS_FILE):
            assert not (data / name).exists(), data / name
