"""Corrections by an 编辑: the store, the pure application to a record, and the whole path
through the real app and a real index on disk — searchable at once, surviving `dangan index`
and `--rebuild` with the corpus untouched, revertible, audited, refused to readers, 404 above
clearance, 密级 by a 管理员 only, and marked 待复核 when the file changes afterwards."""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from conftest import csrf_token, login, make_settings, write_corpus

from indexer.build.corrected import CORRECTED, REVIEW_WARNING, corrected, uncorrected
from indexer.build.run import run_index
from indexer.store.corrections import Corrections, current_all, fingerprint
from indexer.store.lock import IndexLock
from indexer.store.records import Record
from search_app.accounts import ADMIN, EDITOR, READER
from search_app.app import create_app
from search_app.register import action_label, describe

PASSWORD = "corrections test password"
POLICE = "公安/2021/jiaojing.txt"  # 秘密, two pages; page 2 holds 五十八台
REPORT = "文书/2019/zongjie.txt"  # 公开


# --- the store ---

def test_store_keeps_the_latest_correction_per_field_and_reverts_it(tmp_path, store_url):
    assert current_all(tmp_path, store_url) == {}  # nothing corrected yet, no table
    s = Corrections(tmp_path, store_url)
    a = s.add("c", "a.txt", "id1", "d1", "org", 0, "旧", "新一", "目录有误", "编辑甲", False)
    b = s.add("c", "a.txt", "id1", "d1", "org", 0, "新一", "新二", "再改", "编辑甲", False)
    p = s.add("c", "a.txt", "id1", "d1", "", 2, "五十八台", "六十八台", "识别错", "编辑甲", False)
    assert [c.seq for c in s.current("c", "a.txt")] == [b.seq, p.seq]
    assert set(current_all(tmp_path, store_url)) == {("c", "a.txt")}
    before = fingerprint(s.current("c", "a.txt"))
    taken = s.revert("c", "a.txt", "org", 0, "编辑乙")
    assert taken.seq == b.seq
    assert [c.seq for c in s.current("c", "a.txt")] == [p.seq]  # the older one does not return
    assert fingerprint(s.current("c", "a.txt")) != before
    assert s.revert("c", "a.txt", "org", 0, "编辑乙") is None
    history = s.history("c", "a.txt")
    assert [c.seq for c in history] == [a.seq, b.seq, p.seq]
    assert history[1].reverted and history[1].reverted_by == "编辑乙"
    if store_url:
        assert not (tmp_path / "corrections.sqlite").exists()
    else:
        assert (tmp_path / "corrections.sqlite").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        s.add("c", "a.txt", "id1", "d1", "fonds", 0, "", "x", "n", "u", False)


def test_corrections_of_other_content_never_reach_the_record_put_at_its_path(tmp_path):
    """Someone who may write a corpus folder moves a 秘密 document away and puts an ordinary one
    at its path: what an 编辑 wrote of the secret one (its corrected page text, a title) is held
    back, not part of the new 内部 record; a raise of the 密级 made then still applies."""
    s = Corrections(tmp_path)
    s.add("c", "a.txt", "x", "secret", "", 1, "原文", "赤松计划的实施方案", "识别错", "编辑甲", False)
    s.add("c", "a.txt", "x", "secret", "title", 0, "", "赤松计划", "补题名", "编辑甲", False)
    s.add("c", "a.txt", "x", "secret", "security", 0, "内部", "机密", "提高", "管理员", True)
    other = Record(id="y", path="a.txt", source="c", text="普通通知\n", page_starts=(0,),
                   title="普通通知", security="内部")
    now = corrected(other, s.current("c", "a.txt"), "ordinary")
    assert "赤松" not in now.text and "赤松" not in now.title and now.text == other.text
    assert now.security == "机密" and now.meta[CORRECTED]["review"]
    (warning,) = [w for w in now.meta["warnings"] if w.startswith(REVIEW_WARNING)]
    assert "第1页文字" in warning and "题名" in warning and "暂不生效" in warning
    same = corrected(other, s.current("c", "a.txt"), "secret")  # the content it was made on
    assert same.text == "赤松计划的实施方案" and same.title == "赤松计划"


def test_corrections_apply_to_a_record_and_come_off_again(tmp_path):
    s = Corrections(tmp_path)
    text = "第一页文字\f查获嫌疑车辆五十八台。\n"
    rec = Record(id="x", path="a.txt", source="c", text=text, page_starts=(0, 6),
                 org="交警支对", security="秘密", meta={"persons": "张三"})
    s.add("c", "a.txt", "x", "d1", "org", 0, "交警支对", "交警支队", "错字", "编辑甲", False)
    s.add("c", "a.txt", "x", "d1", "", 2, "", "查获嫌疑车辆六十八台。", "识别错", "编辑甲", False)
    s.add("c", "a.txt", "x", "d1", "persons", 0, "张三", "张三；李四", "补人员", "编辑甲", False)
    s.add("c", "a.txt", "x", "d1", "security", 0, "秘密", "公开", "编辑的不能降低", "编辑甲", False)
    fixed = corrected(rec, s.current("c", "a.txt"), "d1")
    assert fixed.org == "交警支队" and fixed.meta["persons"] == "张三；李四"
    assert fixed.text == "第一页文字\f查获嫌疑车辆六十八台。" and fixed.page_starts == (0, 6)
    assert fixed.security == "秘密"  # only a 管理员's correction lowers a level
    assert not fixed.meta[CORRECTED]["review"]
    back = uncorrected(fixed)
    assert (back.text, back.org, back.meta.get("persons")) == (rec.text, rec.org, "张三")
    marked = replace(rec, meta={"review": "待核对", "warnings": ["责任者“交警支对”未见于目录"]})
    checked = corrected(marked, s.current("c", "a.txt"), "d1")  # an 编辑 gave the 责任者
    assert "review" not in checked.meta and not checked.meta["warnings"]
    changed = corrected(rec, s.current("c", "a.txt"), "d2")  # the file changed since
    assert changed.meta[CORRECTED]["review"]
    assert any(w.startswith(REVIEW_WARNING) for w in changed.meta["warnings"])


# --- through the app, on a real index ---

def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class World:
    def __init__(self, tmp: Path):
        self.corpus = write_corpus(tmp / "corpus")
        self.settings = make_settings(tmp / "data" / "index", self.corpus)
        assert not run_index(self.settings).failed
        self.app = create_app(self.settings)
        self.app.config.update(TESTING=True)
        accounts, tokens = (self.app.extensions[k] for k in ("dangan.accounts", "dangan.tokens"))
        self.tokens = {}
        for name, role, level in (("编辑甲", EDITOR, "秘密"), ("编辑乙", EDITOR, "内部"),
                                  ("读者丙", READER, "绝密"), ("管理员丁", ADMIN, "绝密")):
            accounts.add(name, PASSWORD, role, level)
            self.tokens[name] = tokens.create(name, 30)[1]
        self.client = self.app.test_client()

    def h(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def search(self, q: str, who: str = "管理员丁", **params) -> dict:
        r = self.client.get("/api/search", query_string={"q": q, **params}, headers=self.h(who))
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def id_of(self, path: str) -> str:
        with whoosh_index.open_dir(self.settings.index.dir).searcher() as s:
            return s.document(path=path)["id"]

    def record(self, rid: str, who: str = "管理员丁") -> dict:
        r = self.client.get(f"/api/records/{rid}", headers=self.h(who))
        assert r.status_code == 200, r.get_json()
        return r.get_json()["record"]

    def audit(self, action: str) -> list:
        return self.app.extensions["dangan.audit"].find(action=action)


@pytest.fixture()
def world(tmp_path) -> World:
    return World(tmp_path)


def test_a_page_correction_is_searchable_at_once_survives_reindex_and_rebuild(world):
    w = world
    before = _digests(w.corpus)
    rid = w.id_of(POLICE)
    assert w.search("五十八台")["exact_total"] == 1
    r = w.client.put(f"/api/records/{rid}/pages/2/text", headers=w.h("编辑甲"),
                     json={"text": "管理力量三百余人，查获交通肇事逃逸嫌疑车辆六十八台。",
                           "note": "对照原件：六十八台"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["applied"] is True
    assert w.search("六十八台")["exact_total"] == 1
    assert w.search("五十八台")["exact_total"] == 0  # the misread no longer matches
    rec = w.record(rid)
    assert rec["id"] == rid and "六十八台" in rec["text"]
    assert rec["meta"][CORRECTED]["pages"]["2"]["user"] == "编辑甲"
    row = w.audit("correct")[0]
    assert row.user == "编辑甲" and row.record == rid
    detail = json.loads(row.detail)
    assert "五十八台" in detail["old"] and "六十八台" in detail["new"] and detail["page"] == 2

    summary = run_index(w.settings)  # nothing to do: the correction is in the signature
    assert (summary.updated, summary.added, summary.failed) == (0, 0, [])
    assert w.search("六十八台")["exact_total"] == 1
    run_index(w.settings, rebuild=True)
    assert w.search("六十八台")["exact_total"] == 1
    assert w.search("五十八台")["exact_total"] == 0
    assert _digests(w.corpus) == before  # the corpus is never written

    r = w.client.delete(f"/api/records/{rid}/pages/2/text", headers=w.h("编辑甲"))
    assert r.status_code == 200 and r.get_json()["applied"] is True
    assert w.search("五十八台")["exact_total"] == 1
    assert w.search("六十八台")["exact_total"] == 0
    assert CORRECTED not in w.record(rid)["meta"]
    assert json.loads(w.audit("correct-revert")[0].detail)["page"] == 2
    assert _digests(w.corpus) == before


def test_a_field_correction_and_its_revert(world):
    w = world
    rid = w.id_of(REPORT)
    assert w.search("赵铁柱")["total"] == 0
    r = w.client.patch(f"/api/records/{rid}", headers=w.h("编辑甲"),
                       json={"persons": "卜剑平；王建成；赵铁柱", "date": "2019年12月21日",
                             "note": "据原件落款补人员、改日期"})
    assert r.status_code == 200, r.get_json()
    assert w.search("赵铁柱")["exact_total"] == 1
    rec = w.record(rid)
    assert rec["date"] == "2019-12-21"
    assert set(rec["meta"][CORRECTED]["fields"]) == {"persons", "date"}
    rows = [json.loads(r.detail) for r in w.audit("correct")]
    assert {(d["field"], d["old"], d["new"]) for d in rows} == {
        ("人员", "卜剑平；王建成", "卜剑平；王建成；赵铁柱"), ("日期", "2019-12-20", "2019-12-21")}
    assert all(d["note"] == "据原件落款补人员、改日期" for d in rows)
    said = {action_label(r.action) + "：" + describe(r.detail) for r in w.audit("correct")}
    assert "校对记录：令牌 1；字段 日期；原为“2019-12-20”；改为“2019-12-21”；说明：据原件落款补人员、改日期" in said
    assert w.search("", date_from="2019-12-21", date_to="2019-12-21")["total"] == 1

    r = w.client.delete(f"/api/records/{rid}/corrections/persons", headers=w.h("编辑甲"))
    assert r.status_code == 200 and r.get_json()["applied"]
    assert w.search("赵铁柱")["exact_total"] == 0
    assert w.record(rid)["date"] == "2019-12-21"  # the other correction stays
    history = w.client.get(f"/api/records/{rid}/corrections", headers=w.h("读者丙")).get_json()
    assert [(c["field"], bool(c["reverted"])) for c in history["corrections"]] == [
        ("persons", True), ("date", False)]
    assert w.client.delete(f"/api/records/{rid}/corrections/persons",
                           headers=w.h("编辑甲")).status_code == 404  # nothing left to revert


def test_who_may_correct_what(world):
    w = world
    secret, public = w.id_of(POLICE), w.id_of(REPORT)
    calls = [("patch", "/api/records/{}", {"org": "某单位", "note": "n"}),
             ("put", "/api/records/{}/pages/1/text", {"text": "x", "note": "n"}),
             ("delete", "/api/records/{}/pages/1/text", None),
             ("delete", "/api/records/{}/corrections/org", None)]
    for method, url, body in calls:
        r = getattr(w.client, method)(url.format(public), headers=w.h("读者丙"), json=body)
        assert r.status_code == 403 and "编辑" in r.get_json()["error"]
        r = getattr(w.client, method)(url.format(public), json=body)  # anonymous
        assert r.status_code in (400, 401)  # a cookie write without its CSRF token: 400
        r = getattr(w.client, method)(url.format(secret), headers=w.h("编辑乙"), json=body)
        assert r.status_code == 404  # above 编辑乙's 内部: as if it did not exist
    assert w.client.get(f"/api/records/{secret}/corrections",
                        headers=w.h("编辑乙")).status_code == 404
    r = w.client.patch(f"/api/records/{secret}", headers=w.h("编辑甲"),
                       json={"security": "绝密", "note": "n"})
    assert r.status_code == 403 and "管理员" in r.get_json()["error"]
    for body, words in (({"fonds": "1", "note": "n"}, "不能校对的字段"),
                        ({"org": "某单位", "note": "  "}, "校对说明"),
                        ({"date": "二〇一九年十三月", "note": "n"}, "日期有误"),
                        ({"security": "很秘密", "note": "n"}, "密级必须是"),
                        ({"org": "新塘桥镇人民政府", "note": "n"}, "没有改动")):
        r = w.client.patch(f"/api/records/{public}", headers=w.h("管理员丁"), json=body)
        assert r.status_code == 400 and words in r.get_json()["error"], (body, r.get_json())
    assert w.client.put(f"/api/records/{public}/pages/9/text", headers=w.h("编辑甲"),
                        json={"text": "x", "note": "n"}).status_code == 404
    assert not w.audit("correct")  # nothing refused was stored or audited


def test_an_administrator_lowers_a_level_against_the_highest_of_rule(world):
    w = world
    rid = w.id_of(POLICE)
    assert w.search("交警支队", "编辑乙")["total"] == 0  # 秘密, above 内部
    r = w.client.patch(f"/api/records/{rid}", headers=w.h("管理员丁"),
                       json={"security": "内部", "note": "经鉴定降为内部"})
    assert r.status_code == 200 and r.get_json()["applied"]
    assert w.search("交警支队", "编辑乙")["total"] == 1
    detail = json.loads(w.audit("correct")[0].detail)
    assert (detail["old"], detail["new"]) == ("秘密", "内部") and "取最高" in detail["override"]
    run_index(w.settings, rebuild=True)  # the catalog still says 秘密: the correction wins
    assert w.record(rid)["security"] == "内部"
    w.client.delete(f"/api/records/{rid}/corrections/security", headers=w.h("管理员丁"))
    assert w.search("交警支队", "编辑乙")["total"] == 0


def test_a_correction_waits_for_a_busy_index_then_the_next_run_applies_it(world):
    w = world
    rid = w.id_of(REPORT)
    with IndexLock(w.settings.index.dir):
        r = w.client.patch(f"/api/records/{rid}", headers=w.h("编辑甲"),
                           json={"org": "新塘桥镇档案室", "note": "责任者有误"})
    assert r.status_code == 200
    assert r.get_json() | {"corrections": None} == {
        "ok": True, "id": rid, "corrections": None, "applied": False,
        "message": "索引正在更新，完成后生效"}
    assert w.record(rid)["org"] == "新塘桥镇人民政府"
    summary = run_index(w.settings)
    assert summary.updated == 1 and not summary.failed
    assert w.record(rid)["org"] == "新塘桥镇档案室"


def test_a_file_changed_after_its_correction_is_marked_for_review(world):
    w = world
    rid = w.id_of(REPORT)
    w.client.patch(f"/api/records/{rid}", headers=w.h("编辑甲"),
                   json={"org": "新塘桥镇档案室", "note": "责任者有误"})
    path = w.corpus / REPORT
    path.write_text(path.read_text(encoding="utf-8") + "补充：档案室新增库房一间。\n",
                    encoding="utf-8")
    assert run_index(w.settings).updated == 1
    new = w.id_of(REPORT)
    assert new != rid
    rec = w.record(new)
    # held back until an 编辑 checks it against the new content: the file's own 责任者 stands
    assert rec["org"] != "新塘桥镇档案室" and rec["meta"][CORRECTED]["review"]
    assert any(x.startswith(REVIEW_WARNING) and "责任者" in x and "暂不生效" in x
               for x in rec["meta"]["warnings"])
    # … and the history shows it to nobody with this content (only counted)
    history = w.client.get(f"/api/records/{new}/corrections", headers=w.h("编辑甲")).get_json()
    assert history["corrections"] == [] and history["other_content"] == 1


def _flashes(html: str) -> list[str]:
    return re.findall(r'class="flash-\w+">([^<]*)', html)


def test_the_record_page_forms_correct_and_revert_without_javascript(world):
    w = world
    c = w.app.test_client()
    assert login(c, "编辑甲", PASSWORD).status_code == 303
    rid = w.id_of(POLICE)
    html = c.get(f"/records/{rid}").get_data(as_text=True)
    assert "校对著录信息" in html and "校对第2页文字" in html and "仅管理员" not in html
    token = csrf_token(html)
    r = c.post(f"/records/{rid}/correct", data={"csrf_token": token, "org": "襄阳市公安局交警支队",
                                                "title": "交警支队2021年工作总结", "note": "用简称"})
    assert r.status_code == 303
    html = c.get(f"/records/{rid}").get_data(as_text=True)
    assert _flashes(html) == ["著录已校对：已生效，可以检索到"]
    assert "已校对" in html and "编辑甲" in html and "用简称" in html
    r = c.post(f"/records/{rid}/pages/1/correct", data={"csrf_token": token, "text": "改过的第一页",
                                                        "note": ""})
    assert _flashes(c.get(f"/records/{rid}").get_data(as_text=True)) == [
        "请填写校对说明（改了什么、依据什么）"]
    c.post(f"/records/{rid}/pages/1/correct", data={"csrf_token": token, "text": "改过的第一页",
                                                   "note": "对照原件"})
    html = c.get(f"/records/{rid}").get_data(as_text=True)
    assert _flashes(html) == ["第1页已校对：已生效，可以检索到"] and "撤销本页校对" in html
    assert w.search("改过的第一页")["exact_total"] == 1
    c.post(f"/records/{rid}/pages/1/revert", data={"csrf_token": token})
    c.post(f"/records/{rid}/corrections/org/revert", data={"csrf_token": token})
    html = c.get(f"/records/{rid}").get_data(as_text=True)
    assert _flashes(html) == ["第1页的校对已撤销：已生效，可以检索到",
                              "责任者的校对已撤销：已生效，可以检索到"]
    assert w.record(rid)["org"] == "襄阳市公安局交通警察支队"
    assert w.search("改过的第一页")["exact_total"] == 0
    reader = w.app.test_client()
    assert login(reader, "读者丙", PASSWORD).status_code == 303
    html = reader.get(f"/records/{rid}").get_data(as_text=True)
    assert "校对著录信息" not in html and "已校对" in html  # the title's correction stays
    assert reader.post(f"/records/{rid}/correct", data={"csrf_token": csrf_token(html),
                                                        "org": "x", "note": "n"}).status_code == 403


def test_corrections_sent_at_the_same_moment_are_all_applied(world):
    w = world
    ids = [w.id_of(p) for p in (REPORT, POLICE, "文书/2019/tongzhi.txt", "公安/2021/big5.txt")]
    answers = {}

    def send(i: int, rid: str) -> None:
        c = w.app.test_client()
        answers[rid] = c.patch(f"/api/records/{rid}", headers=w.h("管理员丁"),
                               json={"notes": f"同时校对{'甲乙丙丁'[i]}号", "note": "并发"}).get_json()

    threads = [threading.Thread(target=send, args=(i, rid)) for i, rid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a["applied"] for a in answers.values()), answers
    for i, rid in enumerate(ids):
        assert w.search(f"同时校对{'甲乙丙丁'[i]}号")["exact_total"] == 1
