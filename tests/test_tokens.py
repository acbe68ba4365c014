"""API tokens: `dangan tokens …`, the admin page's token list, `Authorization: Bearer` acting as
the token's user (clearance, role, audit), revocation and expiry at once, hashes only stored;
and the 编辑 role in the account commands and the admin page."""
from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest
import requests
from conftest import admin_client, app_over, csrf_token
from test_server import dangan_command, serving

from search_app.accounts import ACCOUNTS_FILE, ADMIN, EDITOR, READER, AccountError
from search_app.security import SESSION_COOKIE

PASSWORD = "token test password"
QUERY = {"q": "交警"}  # one record, 秘密: found at 秘密 and above, not by anonymous readers


def app_with_users(tmp_path, built_index, **auth):
    app = app_over(tmp_path, built_index, **({"auth": auth} if auth else {}))
    accounts = app.extensions["dangan.accounts"]
    for name, role, level in (("读者乙", READER, "秘密"), ("编辑丙", EDITOR, "内部")):
        accounts.add(name, PASSWORD, role, level)
    return app


@pytest.fixture()
def app(tmp_path, built_index):
    return app_with_users(tmp_path, built_index)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_reads_as_its_user_and_sets_no_cookie(app):
    _, secret = app.extensions["dangan.tokens"].create("读者乙", 30)
    c = app.test_client()
    assert c.get("/api/search", query_string=QUERY).get_json()["total"] == 0  # anonymous: 公开
    r = c.get("/api/search", query_string=QUERY, headers=bearer(secret))
    assert r.status_code == 200 and r.get_json()["total"] == 1
    assert "Set-Cookie" not in r.headers and c.get_cookie(SESSION_COOKIE) is None
    rows = app.extensions["dangan.audit"].find(user="读者乙")
    assert rows[0].action == "search" and rows[0].clearance == "秘密"
    assert json.loads(rows[0].detail)["token"] == 1


def test_revoking_a_disabled_account_or_a_lower_clearance_take_effect_at_once(app):
    tokens, accounts = app.extensions["dangan.tokens"], app.extensions["dangan.accounts"]
    token, secret = tokens.create("读者乙", None)
    c = app.test_client()
    assert c.get("/api/search", query_string=QUERY, headers=bearer(secret)).get_json()["total"] == 1
    accounts.set_clearance("读者乙", "公开")
    assert c.get("/api/search", query_string=QUERY, headers=bearer(secret)).get_json()["total"] == 0
    accounts.disable("读者乙")
    r = c.get("/api/search", query_string=QUERY, headers=bearer(secret))
    assert r.status_code == 401 and "令牌" in r.get_json()["error"]
    accounts.enable("读者乙")
    assert c.get("/api/search", query_string=QUERY, headers=bearer(secret)).status_code == 200
    tokens.revoke(token.id)
    r = c.get("/api/search", query_string=QUERY, headers=bearer(secret))
    assert r.status_code == 401 and r.get_json() == {
        "ok": False, "error": "令牌无效、已过期或已被吊销", "status": 401}


def test_a_bad_or_expired_token_is_refused_not_served_as_anonymous(app):
    tokens = app.extensions["dangan.tokens"]
    token, secret = tokens.create("读者乙", 1)
    c = app.test_client()
    for header in ("Bearer dgn_not-a-token", "Bearer", "Basic dXNlcjpwYXNz", secret):
        r = c.get("/api/search", query_string=QUERY, headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.get_json()["ok"] is False
    r = c.get("/api/records/0000000000000000", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401  # refused before the record is even looked up
    tokens.db.run("UPDATE tokens SET expires = 1 WHERE id = ?", (token.id,))  # the day passed
    r = c.get("/api/search", query_string=QUERY, headers=bearer(secret))
    assert r.status_code == 401
    assert tokens.get(token.id).state() == "已过期"


def test_a_token_downloads_an_original_as_the_api_description_says(app):
    """/records/<id>/download is listed with the API (bearer security): a token reads the
    original as its user, a bad one is refused, no token is an anonymous reader."""
    _, secret = app.extensions["dangan.tokens"].create("读者乙", 30)
    c = app.test_client()
    hit = c.get("/api/search", query_string=QUERY, headers=bearer(secret)).get_json()["hits"][0]
    url = f"/records/{hit['id']}/download"
    r = c.get(url, headers=bearer(secret))
    assert r.status_code == 200 and "交警" in r.data.decode("utf-8", "replace")
    assert "Set-Cookie" not in r.headers
    assert c.get(url).status_code == 404  # anonymous: 公开 only
    assert c.get(url, headers=bearer("dgn_not-a-token")).status_code == 401
    assert app.extensions["dangan.audit"].find(user="读者乙")[0].action == "download"


def test_only_a_hash_of_the_token_is_stored(app):
    _, secret = app.extensions["dangan.tokens"].create("读者乙", 30)
    stored = (app.extensions["dangan.settings"].data_dir / ACCOUNTS_FILE).read_bytes()
    assert secret.encode() not in stored and secret[4:].encode() not in stored
    db = sqlite3.connect(app.extensions["dangan.settings"].data_dir / ACCOUNTS_FILE)
    (hint,) = db.execute("SELECT hint FROM tokens").fetchone()
    assert secret.startswith(hint) and len(hint) < 12


def test_the_token_store_on_both_backends(tmp_path, store_url):
    """Made, found by its secret, listed, expired and revoked, with only a hash stored — the
    same in SQLite and in PostgreSQL, where a second server sees the same tokens."""
    from search_app.accounts import Accounts
    from search_app.tokens import Tokens

    one = Tokens(Accounts(tmp_path / "a", store_url))
    one.accounts.add("读者乙", PASSWORD, READER, "秘密")
    token, secret = one.create("读者乙", 30, created_by="管理员甲")
    other = Tokens(Accounts(tmp_path / "b", store_url)) if store_url else one
    assert other.holder(secret).id == token.id and other.holder(secret + "x") is None
    assert other.get(token.id).last_used is not None  # the use is noted
    assert [(t.user, t.created_by) for t in other.list("读者乙")] == [("读者乙", "管理员甲")]
    assert one.db.row("SELECT count(*) FROM tokens WHERE hash = ?", (secret,))[0] == 0
    other.revoke(token.id)
    assert one.holder(secret) is None and one.get(token.id).state() == "已吊销"
    with pytest.raises(AccountError, match="已经吊销"):
        one.revoke(token.id)
    second, secret2 = one.create("读者乙", 1)
    one.db.run("UPDATE tokens SET expires = 1 WHERE id = ?", (second.id,))
    assert other.holder(secret2) is None and other.get(second.id).state() == "已过期"
    one.accounts.disable("读者乙")
    with pytest.raises(AccountError, match="已停用"):
        other.create("读者乙", 30)


def test_admin_page_creates_shows_once_lists_and_revokes_tokens(app):
    c = admin_client(app)
    page = c.get("/admin/users").get_data(as_text=True)
    assert "API 令牌" in page and 'id="token-user"' in page
    assert '<option value="编辑">编辑</option>' in page  # the role can be given here too
    r = c.post("/admin/tokens", data={"name": "读者乙", "days": "7",
                                      "csrf_token": csrf_token(page)})
    shown = r.get_data(as_text=True)
    secret = shown.split('<code id="new-token">')[1].split("<")[0]
    assert r.status_code == 200 and secret.startswith("dgn_")
    assert secret not in c.get("/admin/users").get_data(as_text=True)  # shown only once
    assert app.test_client().get("/api/search", query_string=QUERY,
                                 headers=bearer(secret)).get_json()["total"] == 1
    page = c.get("/admin/users").get_data(as_text=True)
    assert "吊销令牌 1（读者乙）" in page and secret[:8] in page
    r = c.post("/admin/tokens/revoke", data={"id": "1", "csrf_token": csrf_token(page)})
    assert r.status_code == 303
    assert app.test_client().get("/api/search", query_string=QUERY,
                                 headers=bearer(secret)).status_code == 401
    ops = [json.loads(r.detail)["op"] for r in app.extensions["dangan.audit"].find(action="admin")
           if r.detail]
    assert ops[:2] == ["token-revoke", "token-create"]


def test_an_administrator_cannot_make_a_token_above_their_own_clearance(app):
    accounts = app.extensions["dangan.accounts"]
    accounts.add("低管理员", PASSWORD, ADMIN, "内部")
    c = app.test_client()
    from conftest import login
    assert login(c, "低管理员", PASSWORD).status_code == 303
    page = c.get("/admin/users").get_data(as_text=True)
    assert '<option value="读者乙"' not in page  # 秘密: above 内部
    r = c.post("/admin/tokens", data={"name": "读者乙", "days": "7",
                                      "csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "不能授予或管理更高的密级" in r.get_data(as_text=True)
    assert app.extensions["dangan.tokens"].list() == []


def test_tokens_from_the_command_line_through_a_real_server(tmp_path, built_index):
    """`dangan tokens create` prints the token last; two gunicorn workers accept it; `revoke`
    ends it on the next request; each is in the register."""
    app = app_with_users(tmp_path, built_index)
    config = tmp_path / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps((tmp_path / 'data/index').as_posix())}\n",
                      encoding="utf-8")
    made = subprocess.run(dangan_command() + ["tokens", "create", "读者乙", "--days", "3",
                                              "--config", str(config)],
                          capture_output=True, text=True, check=True)
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("dgn_")
    listed = subprocess.run(dangan_command() + ["tokens", "list", "--config", str(config)],
                            capture_output=True, text=True, check=True).stdout
    assert "读者乙" in listed and "有效" in listed and secret not in listed
    with serving(config, tmp_path) as (base, _proc, _first, _port):
        for _ in range(4):  # whichever worker answers
            r = requests.get(base + "/api/search", params=QUERY, headers=bearer(secret),
                             timeout=30)
            assert r.status_code == 200 and r.json()["total"] == 1
        subprocess.run(dangan_command() + ["tokens", "revoke", "1", "--config", str(config)],
                       check=True, capture_output=True)
        r = requests.get(base + "/api/search", params=QUERY, headers=bearer(secret), timeout=30)
        assert r.status_code == 401
    refused = subprocess.run(dangan_command() + ["tokens", "create", "没有这个人", "--config",
                                                 str(config)], capture_output=True, text=True)
    assert refused.returncode == 2 and "没有用户 没有这个人" in refused.stderr
    reads = app.extensions["dangan.audit"].find(user="读者乙", action="search")
    assert len(reads) == 4 and all(json.loads(r.detail)["token"] == 1 for r in reads)
    changes = [json.loads(r.detail)["op"]
               for r in app.extensions["dangan.audit"].find(action="admin")]
    assert changes[:2] == ["token-revoke", "token-create"]


def test_the_editor_role_from_the_command_line(tmp_path, built_index, cli_runner):
    from search_app.cli import main

    app_with_users(tmp_path, built_index)
    config = tmp_path / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps((tmp_path / 'data/index').as_posix())}\n",
                      encoding="utf-8")
    r = cli_runner.invoke(main, ["users", "add", "编辑丁", "--role", "编辑", "--clearance", "秘密",
                                 "--password", PASSWORD, "--config", str(config)])
    assert r.exit_code == 0 and "编辑丁: 编辑" in r.output
    r = cli_runner.invoke(main, ["users", "set-role", "读者乙", "编辑", "--config", str(config)])
    assert r.exit_code == 0 and "role 编辑" in r.output
    r = cli_runner.invoke(main, ["users", "set-role", "读者乙", "主任", "--config", str(config)])
    assert r.exit_code == 2 and "编辑" in r.output  # the choices are listed
