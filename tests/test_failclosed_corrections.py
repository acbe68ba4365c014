"""Fail closed against corrections that outlive the content they were made on: a correction is
kept by the file's corpus path, so whoever can write a corpus folder can put other content at
a corrected path. A 管理员's lowering of a 密级 judged one document; it must never lower the
document that later sits at that path (real index, real `dangan serve`, real HTTP)."""
from __future__ import annotations

import requests
from conftest import write_corpus

from indexer.build.run import run_index
from search_app.accounts import Accounts
from search_app.tokens import Tokens
from test_server import serving_corpus

PASSWORD = "fail closed corrections"
LOWERED = "公安/2021/jiaojing.txt"  # 秘密 by the catalog; a 管理员 lowers it to 内部
TOP = "公安/2021/top.txt"
TOP_TEXT = "绝密★启用前\n关于青龙山指挥所选址的报告\n代号磐石工程，坐标另附。\n"


def _tokens(settings, *names) -> dict[str, dict]:
    accounts = Accounts(settings.data_dir)
    tokens = Tokens(accounts)
    out = {n: {"Authorization": f"Bearer {tokens.create(n, 30)[1]}"} for n in names}
    accounts.close()
    return out


def _search(base: str, headers: dict, q: str) -> dict:
    r = requests.get(f"{base}/api/search", params={"q": q}, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_lowered_level_does_not_follow_other_content_to_its_path(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / TOP).write_text(TOP_TEXT, encoding="utf-8")
    users = (("管理员甲", PASSWORD, "管理员", "绝密"), ("查阅乙", PASSWORD, "查阅人", "内部"))
    with serving_corpus(tmp_path, corpus, users) as (base, settings):
        h = _tokens(settings, "管理员甲", "查阅乙")
        admin, reader = h["管理员甲"], h["查阅乙"]
        assert _search(base, reader, "磐石工程")["total"] == 0  # 绝密 by its mark
        [hit] = _search(base, admin, "交警支队 五十八台")["hits"]
        assert hit["security"] == "秘密"
        r = requests.patch(f"{base}/api/records/{hit['id']}", headers=admin, timeout=30,
                           json={"security": "内部", "note": "经鉴定降为内部"})
        assert r.status_code == 200 and r.json()["applied"], r.text
        assert _search(base, reader, "五十八台")["total"] == 1  # the lowering as meant

        # someone who can write the folder puts the 绝密 document at the lowered path
        (corpus / LOWERED).rename(corpus / "公安/2021/jiaojing-old.txt")
        (corpus / TOP).rename(corpus / LOWERED)
        assert not run_index(settings).failed

        assert _search(base, reader, "磐石工程")["total"] == 0
        [hit] = _search(base, admin, "磐石工程")["hits"]
        assert hit["security"] == "绝密"
        rec = requests.get(f"{base}/api/records/{hit['id']}", headers=admin,
                           timeout=30).json()["record"]
        assert any("不用于现在的原件" in w for w in rec["meta"]["warnings"])
        # the 管理员 who checks the new content may still lower it
        r = requests.patch(f"{base}/api/records/{hit['id']}", headers=admin, timeout=30,
                           json={"security": "内部", "note": "核对新原件后降为内部"})
        assert r.status_code == 200 and r.json()["applied"], r.text
        assert _search(base, reader, "磐石工程")["total"] == 1
