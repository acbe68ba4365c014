"""Logging in and out, CSRF, throttling, session cookies and expiry, anonymous access switched
off, the administrators' pages, security headers and the secret key file."""
from __future__ import annotations

import csv
import html
import io
import multiprocessing
import re
import time

import pytest
from conftest import app_over, csrf_token, login
from werkzeug.urls import iri_to_uri

from indexer.config import settings_from_dict
from indexer.errors import ConfigError
from search_app.app import create_app
from search_app.accounts import ADMIN, READER
from search_app.security import CSP, SECRET_FILE, SESSION_COOKIE, secret_key

PASSWORD = "auth test password"


def fresh_app(tmp_path, built_index, **auth):
    """An app over the shared index, with accounts, register and key of its own."""
    app = app_over(tmp_path, built_index, **({"auth": auth} if auth else {}))
    accounts = app.extensions["dangan.accounts"]
    for name, role, level in (("管理员甲", ADMIN, "绝密"), ("读者乙", READER, "秘密")):
        if not accounts.get(name):
            accounts.add(name, PASSWORD, role, level)
    return app


@pytest.fixture()
def app(tmp_path, built_index):
    return fresh_app(tmp_path, built_index)


def rows(app, **filters):
    return app.extensions["dangan.audit"].find(**filters)


def post_form(c, url: str, page: str, **data):
    """POST a form the way a browser does: with the CSRF token of the page it is on."""
    token = csrf_token(c.get(page).get_data(as_text=True))
    return c.post(url, data={**data, "csrf_token": token})


# --- login and logout --------------------------------------------------------------------------

def test_login_shows_the_reader_and_logout_ends_it(app):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    assert '<label for="name">用户名</label>' in page and 'type="password"' in page
    r = login(c, "读者乙", PASSWORD)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    home = c.get("/").get_data(as_text=True)
    assert "读者乙" in home and ">秘密<" in home and "退出" in home and "用户管理" not in home
    assert c.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 1
    r = post_form(c, "/logout", "/")
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert "未登录 · 可查阅公开档案" in c.get("/").get_data(as_text=True)
    assert c.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 0
    actions = [r.action for r in rows(app, user="读者乙")]
    assert actions[0] == "logout" and "login" in actions
    assert c.get("/logout").status_code == 405  # only a form (with its token) logs out


def test_a_wrong_password_a_stranger_and_a_disabled_account_get_the_same_answer(app):
    app.extensions["dangan.accounts"].add("停用者", PASSWORD)
    app.extensions["dangan.accounts"].disable("停用者")
    answers = set()
    for name, password in (("读者乙", "not the password"), ("没有这个人", PASSWORD),
                           ("停用者", PASSWORD), ("", "")):
        r = login(app.test_client(), name, password)
        assert r.status_code == 401
        answers.add(re.search(r'<p class="error" role="alert">([^<]+)</p>',
                              r.get_data(as_text=True)).group(1))
    assert answers == {"用户名或密码不正确，或账号已停用。"}
    assert [r.user for r in rows(app, action="login-failed")] == ["", "停用者", "没有这个人",
                                                                  "读者乙"]


@pytest.mark.parametrize("target, expected", [
    ("/?q=王建成", "/?q=王建成"), ("/records/abc", "/records/abc"), ("//evil.example/x", "/"),
    ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
    ("", "/"), ("/\n/evil", "/")])
def test_login_goes_back_where_the_reader_was_but_never_off_site(app, target, expected):
    r = login(app.test_client(), "读者乙", PASSWORD, next=target)
    assert r.status_code == 303 and r.headers["Location"] == iri_to_uri(expected)


def test_the_login_link_remembers_the_page(app):
    c = app.test_client()
    page = c.get("/", query_string={"q": "交警"}).get_data(as_text=True)
    link = html.unescape(re.search(r'<a href="(/login\?next=[^"]+)">登录</a>', page).group(1))
    token = csrf_token(c.get(link).get_data(as_text=True))
    wanted = re.search(r'name="next" value="([^"]+)"', c.get(link).get_data(as_text=True))
    r = c.post("/login", data={"name": "读者乙", "password": PASSWORD, "csrf_token": token,
                               "next": html.unescape(wanted.group(1))})
    assert r.headers["Location"] == iri_to_uri("/?q=交警")
    assert "<mark>交警</mark>支队工作总结" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_logout_ends_a_copied_session_cookie_too(app):
    c = app.test_client()
    login(c, "读者乙", PASSWORD)
    copied = c.get_cookie(SESSION_COOKIE).value
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, copied)
    assert thief.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 1
    post_form(c, "/logout", "/")
    assert thief.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 0


def test_a_session_ends_after_session_hours(tmp_path, built_index, monkeypatch):
    app = fresh_app(tmp_path, built_index, session_hours=2.0)
    c = app.test_client()
    login(c, "读者乙", PASSWORD)
    assert "读者乙" in c.get("/").get_data(as_text=True)
    later = time.time() + 2 * 3600 + 5
    monkeypatch.setattr("search_app.auth.time.time", lambda: later)
    assert "读者乙" not in c.get("/").get_data(as_text=True)
    assert c.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 0


# --- CSRF, throttling, cookies -------------------------------------------------------------------

def test_forms_without_their_csrf_token_are_refused(app):
    c = app.test_client()
    for data in ({}, {"csrf_token": "forged"}):
        r = c.post("/login", data={"name": "读者乙", "password": PASSWORD, **data})
        assert r.status_code == 400 and "安全令牌" in r.get_data(as_text=True)
    assert not rows(app, action="login")
    admin = app.test_client()
    login(admin, "管理员甲", PASSWORD)
    accounts = app.extensions["dangan.accounts"]
    for url, data in (("/admin/users", {"name": "新人", "password": PASSWORD, "role": READER,
                                        "clearance": "公开"}),
                      ("/admin/users/change", {"name": "读者乙", "op": "disable"}),
                      ("/admin/users/change", {"name": "读者乙", "op": "password",
                                               "value": "hijacked password"}),
                      ("/logout", {})):
        r = admin.post(url, data=data)
        assert r.status_code == 400, url
    assert accounts.get("新人") is None and accounts.get("读者乙").active
    assert "管理员甲" in admin.get("/").get_data(as_text=True)  # still logged in
    assert login(app.test_client(), "读者乙", PASSWORD).status_code == 303


def test_after_five_failures_an_account_is_slowed_down_not_locked(app, monkeypatch):
    """Five wrong passwords no longer lock the account for a quarter of an hour (anyone could
    lock a clerk out): each further attempt waits 2, 4, 8 … seconds after the last failure."""
    clock = [time.time()]
    monkeypatch.setattr("search_app.login.time.time", lambda: clock[0])
    c = app.test_client()
    for _ in range(5):
        assert login(c, "读者乙", "wrong password").status_code == 401
    r = login(c, "读者乙", PASSWORD)  # the right password, too soon
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert "登录失败次数过多" in r.get_data(as_text=True) and "2 秒后再试" in r.get_data(
        as_text=True)
    assert login(app.test_client(), "管理员甲", PASSWORD).status_code == 303  # others may
    clock[0] += 2.5
    assert login(c, "读者乙", "wrong password").status_code == 401  # the sixth failure …
    r = login(c, "读者乙", PASSWORD)
    assert r.status_code == 429 and r.headers["Retry-After"] == "4"  # … doubles the wait
    clock[0] += 4.5
    assert login(c, "读者乙", PASSWORD).status_code == 303  # not 15 minutes later: now
    actions = [r.action for r in rows(app, user="读者乙")]
    assert actions == ["login", "login-refused", "login-failed", "login-refused"] + [
        "login-failed"] * 5


def test_the_waits_grow_to_fifteen_minutes_at_most():
    from search_app.throttle import MAX_DELAY, account_delay

    assert [account_delay(n) for n in range(9)] == [0, 0, 0, 0, 0, 2, 4, 8, 16]
    assert account_delay(14) == MAX_DELAY == 900 and account_delay(10**6) == MAX_DELAY


def test_a_successful_login_starts_the_count_again(app):
    c = app.test_client()
    for _ in range(4):
        login(c, "读者乙", "wrong password")
    assert login(c, "读者乙", PASSWORD).status_code == 303
    for _ in range(4):
        assert login(c, "读者乙", "wrong password").status_code == 401
    assert login(c, "读者乙", PASSWORD).status_code == 303


def test_twenty_failures_from_one_address_lock_that_address(app):
    c = app.test_client()
    elsewhere = {"REMOTE_ADDR": "10.0.0.7"}
    for n in range(20):
        token = csrf_token(c.get("/login").get_data(as_text=True))
        r = c.post("/login", data={"name": f"猜{n}", "password": "guess", "csrf_token": token},
                   environ_base=elsewhere)
        assert r.status_code == 401
    token = csrf_token(c.get("/login").get_data(as_text=True))
    r = c.post("/login", data={"name": "读者乙", "password": PASSWORD, "csrf_token": token},
               environ_base=elsewhere)
    assert r.status_code == 429
    assert login(app.test_client(), "读者乙", PASSWORD).status_code == 303  # from 127.0.0.1


def test_session_cookie_flags(tmp_path, built_index):
    app = fresh_app(tmp_path, built_index)
    plain = login(app.test_client(), "读者乙", PASSWORD).headers["Set-Cookie"]
    assert plain.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    expires = re.search(r"Expires=([^;]+)", plain).group(1)
    hours = (time.mktime(time.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT")) - time.mktime(
        time.gmtime())) / 3600
    assert 7.9 < hours <= 8.0
    https = {"wsgi.url_scheme": "https"}
    c = app.test_client()
    token = csrf_token(c.get("/login", environ_overrides=https).get_data(as_text=True))
    over_https = c.post("/login", environ_overrides=https, headers={
        "Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
        data={"name": "读者乙", "password": PASSWORD, "csrf_token": token})
    assert over_https.status_code == 303 and "Secure" in over_https.headers["Set-Cookie"]
    always = fresh_app(tmp_path / "secure", built_index, secure_cookies=True)
    assert "Secure" in login(always.test_client(), "读者乙", PASSWORD).headers["Set-Cookie"]
    assert not app.test_client().get("/").headers.get("Set-Cookie")  # no cookie unless needed


def test_behind_a_trusted_proxy_the_register_has_the_client_address(tmp_path, built_index):
    app = fresh_app(tmp_path, built_index, trusted_proxies=1)
    c = app.test_client()
    c.get("/api/search", query_string={"q": "王建成"},
          headers={"X-Forwarded-For": "192.168.5.20", "X-Forwarded-Proto": "https"})
    assert rows(app, action="search")[0].address == "192.168.5.20"
    untrusted = fresh_app(tmp_path / "direct", built_index)
    untrusted.test_client().get("/api/search", headers={"X-Forwarded-For": "192.168.5.20"})
    assert rows(untrusted, action="search")[0].address == "127.0.0.1"


# --- anonymous access off --------------------------------------------------------------------

def test_with_anonymous_access_off_everything_but_the_login_page_needs_a_login(tmp_path,
                                                                                built_index):
    app = fresh_app(tmp_path, built_index, anonymous_clearance="off")
    c = app.test_client()
    r = c.get("/", query_string={"q": "王建成"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    for url in ("/api/search", "/api/records/x", "/api/openapi.json"):
        r = c.get(url)
        assert r.status_code == 401 and r.get_json() == {
            "ok": False, "error": "请先登录：本系统不允许匿名查阅", "status": 401}
    assert c.get("/records/x").status_code == 302 and c.get("/no/such/page").status_code == 302
    assert c.get("/static/style.css").status_code == 200
    page = c.get("/login").get_data(as_text=True)
    assert "不登录也可以" not in page and "未登录 ·" not in page
    assert not rows(app, action="search")
    r = login(c, "读者乙", PASSWORD, next="/?q=王建成")
    assert r.headers["Location"] == iri_to_uri("/?q=王建成")
    assert c.get("/api/search", query_string={"q": "交警"}).get_json()["total"] == 1
    assert post_form(c, "/logout", "/").headers["Location"] == "/login"
    assert c.get("/api/search").status_code == 401


def test_anonymous_clearance_can_be_any_level(tmp_path, built_index):
    app = fresh_app(tmp_path, built_index, anonymous_clearance="内部")
    assert app.test_client().get("/api/search").get_json()["total"] == 5
    assert "可查阅内部档案" in app.test_client().get("/").get_data(as_text=True)


@pytest.mark.parametrize("auth, message", [
    ({"anonymous_clearance": "秘书"}, "anonymous_clearance must be one of"),
    ({"anonymous_clearance": "OFF"}, "anonymous_clearance must be one of"),
    ({"session_hours": 0}, "session_hours must be more than 0"),
    ({"secure_cookies": "yes"}, "must be true or false"),
    ({"login_attempts": 3}, "unknown key"),
])
def test_bad_auth_settings_are_reported(tmp_path, auth, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({"auth": auth}, base=tmp_path)


# --- administrators' pages -----------------------------------------------------------------

@pytest.fixture()
def admin(app):
    c = app.test_client()
    assert login(c, "管理员甲", PASSWORD).status_code == 303
    return c


def change(admin, name: str, op: str, value: str = ""):
    return post_form(admin, "/admin/users/change", "/admin/users", name=name, op=op, value=value)


def flashed(admin) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<li class="flash-\w+">([^<]+)</li>',
                                                 admin.get("/admin/users").get_data(as_text=True))]


def test_admins_add_and_change_users(app, admin):
    accounts = app.extensions["dangan.accounts"]
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "读者乙" in page and "管理员甲" in page and page.count('name="csrf_token"') > 5
    r = post_form(admin, "/admin/users", "/admin/users", name="新档案员", password="new password",
                  role=READER, clearance="内部")
    assert r.status_code == 303 and r.headers["Location"] == "/admin/users"
    assert flashed(admin) == ["已添加用户 新档案员（查阅人，密级 内部）"]
    assert accounts.get("新档案员").clearance == "内部"
    change(admin, "新档案员", "clearance", "秘密")
    change(admin, "新档案员", "role", ADMIN)
    change(admin, "新档案员", "disable")
    assert not accounts.get("新档案员").active
    change(admin, "新档案员", "enable")
    change(admin, "新档案员", "password", "another password")
    user = accounts.get("新档案员")
    assert (user.clearance, user.role, user.active) == ("秘密", ADMIN, True)
    assert login(app.test_client(), "新档案员", "another password").status_code == 303
    log = [(r.detail, r.user) for r in rows(app, action="admin")]
    assert len(log) == 6 and all(user == "管理员甲" for _d, user in log)
    assert '"op": "password"' in log[0][0] and "another password" not in log[0][0]


def test_admin_mistakes_are_explained(app, admin):
    post_form(admin, "/admin/users", "/admin/users", name="短密码", password="short",
              role=READER, clearance="公开")
    assert flashed(admin) == ["密码至少 8 个字符"]
    change(admin, "没有这人", "disable")
    assert flashed(admin) == ["没有用户 没有这人"]
    change(admin, "管理员甲", "disable")
    assert "不能停用自己的账号" in flashed(admin)[0]
    change(admin, "管理员甲", "role", READER)
    assert "不能停用自己的账号" in flashed(admin)[0]
    change(admin, "读者乙", "drop-table")
    assert flashed(admin) == ["未知的操作 'drop-table'"]
    assert app.extensions["dangan.accounts"].get("管理员甲").is_admin


def test_admin_pages_are_for_admins_only(app):
    anonymous = app.test_client()
    for url in ("/admin/users", "/admin/audit", "/admin/audit.csv"):
        r = anonymous.get(url)
        assert r.status_code == 302 and r.headers["Location"] == f"/login?next={url}"
    reader = app.test_client()
    login(reader, "读者乙", PASSWORD)
    for url in ("/admin/users", "/admin/audit", "/admin/audit.csv"):
        assert reader.get(url).status_code == 403
    assert reader.post("/admin/users", data={"csrf_token": csrf_token(
        reader.get("/").get_data(as_text=True))}).status_code == 403
    assert "用户管理" not in reader.get("/").get_data(as_text=True)


def test_the_register_page_filters_and_exports(app, admin, monkeypatch):
    reader = app.test_client()
    login(reader, "读者乙", PASSWORD)
    hit = reader.get("/api/search", query_string={"q": "交警"}).get_json()["hits"][0]
    reader.get(f"/records/{hit['id']}")
    reader.get("/api/search", query_string={"q": "=HYPERLINK(\"http://x\")"})
    page = admin.get("/admin/audit", query_string={"user": "读者乙"}).get_data(as_text=True)
    assert page.count('<td data-label="用户">读者乙</td>') == 4  # login, 2 searches, the record
    assert (f'<a href="/records/{hit["id"]}" title="记录编号 {hit["id"]}">0456-GA·2021-C-0001 '
            "交警支队工作总结</a>") in page and "查看记录" in page
    assert "结果 1 条" in page and '{"total"' not in page  # details in words, not JSON
    only = admin.get("/admin/audit", query_string={"record": hit["id"]}).get_data(as_text=True)
    assert only.count('<td data-label="用户">读者乙</td>') == 1
    today = time.strftime("%Y-%m-%d")
    assert "读者乙" in admin.get("/admin/audit", query_string={
        "action": "search", "date_from": today, "date_to": today}).get_data(as_text=True)
    assert "没有符合条件的登记" in admin.get("/admin/audit", query_string={
        "date_to": "2000-01-01"}).get_data(as_text=True)
    bad = admin.get("/admin/audit", query_string={"date_from": "昨天"})
    assert bad.status_code == 400 and "日期格式应为 YYYY-MM-DD" in bad.get_data(as_text=True)

    export = admin.get("/admin/audit.csv", query_string={"user": "读者乙"})
    assert export.mimetype == "text/csv" and "attachment" in export.headers[
        "Content-Disposition"]
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff序号,时间,用户,地址,操作,记录,档号/题名,检索词,详情,查阅密级")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["操作"] for r in table] == ["检索", "查看记录", "检索", "登录"]
    assert table[0]["检索词"] == "'=HYPERLINK(\"http://x\")"  # not a formula in a spreadsheet
    assert table[1]["查阅密级"] == "秘密" and table[-1]["查阅密级"] == ""
    assert table[1]["档号/题名"] == "0456-GA·2021-C-0001 交警支队工作总结"  # not only an id
    assert table[0]["详情"].startswith("结果 ") and "{" not in table[0]["详情"]

    monkeypatch.setattr("search_app.admin.PAGE_ROWS", 2)
    monkeypatch.setattr("search_app.admin.CSV_BATCH", 3)
    first = admin.get("/admin/audit", query_string={"user": "读者乙"}).get_data(as_text=True)
    assert first.count('<td data-label="用户">读者乙</td>') == 2 and "下一页" in first
    second = admin.get(re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace(
        "&amp;", "&")).get_data(as_text=True)
    assert second.count('<td data-label="用户">读者乙</td>') == 2 and '<a rel="prev"' in second
    batched = admin.get("/admin/audit.csv", query_string={"user": "读者乙"})
    assert batched.get_data(as_text=True) == text  # the same rows, read three at a time


# --- hardening ---------------------------------------------------------------------------------

def test_security_headers_on_every_response(app, admin):
    hit = admin.get("/api/search", query_string={"q": "王建成"}).get_json()["hits"][0]
    for url in ("/", "/?q=%22", "/api/search", f"/records/{hit['id']}",
                f"/records/{hit['id']}/download", "/records/missing", "/api/records/missing",
                "/login", "/admin/users", "/admin/audit", "/static/style.css",
                "/static/record.js", "/api/openapi.json", "/no/such/page"):
        r = admin.get(url)
        h = r.headers
        assert h["Content-Security-Policy"] == CSP, url
        assert "script-src 'self';" in CSP and "frame-ancestors 'none'" in CSP
        assert h["X-Content-Type-Options"] == "nosniff", url
        assert h["Referrer-Policy"] == "same-origin", url
        assert h["X-Frame-Options"] == "DENY", url
        if not url.startswith("/static/"):
            assert h["Cache-Control"] == "no-store", url


def test_no_page_has_inline_script_style_or_handlers(app, admin):
    hit = admin.get("/api/search", query_string={"q": "王建成"}).get_json()["hits"][0]
    pages = [admin.get(u).get_data(as_text=True) for u in (
        "/", "/?q=王建成", f"/records/{hit['id']}", "/records/missing", "/admin/users",
        "/admin/audit", "/?q=%22")]
    pages += [app.test_client().get("/login").get_data(as_text=True),
              login(app.test_client(), "读者乙", "wrong").get_data(as_text=True)]
    for html in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert "javascript:" not in html


def test_request_bodies_are_limited(app):
    r = app.test_client().post("/login", data={"name": "x" * (2 * 1024 * 1024)})
    assert r.status_code == 413


def test_the_secret_key_accounts_and_register_are_private_files(tmp_path, app):
    data = app.extensions["dangan.settings"].data_dir
    key_file = data / SECRET_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert app.secret_key == key_file.read_text().strip() and len(app.secret_key) == 64
    assert create_app(app.extensions["dangan.settings"]).secret_key == app.secret_key
    key_file.chmod(0o644)
    assert secret_key(data) == app.secret_key and key_file.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.rglob(f".{SECRET_FILE}.*"))  # no temporary files left
    for name in ("accounts.sqlite", "audit.sqlite"):  # password hashes, who read what
        assert (data / name).stat().st_mode & 0o777 == 0o600, name


def _make_key(folder, results):
    results.put(secret_key(folder))


def test_server_processes_starting_together_share_one_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_make_key, args=(tmp_path / "race", results)) for _ in range(8)]
    for p in procs:
        p.start()
    keys = {results.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
    assert len(keys) == 1 and (tmp_path / "race" / SECRET_FILE).read_text().strip() in keys
    assert [p.name for p in (tmp_path / "race").iterdir()] == [SECRET_FILE]


def test_serve_says_how_to_create_the_first_administrator(tmp_path, built_index, cli_runner,
                                                          monkeypatch):
    from search_app.cli import main
    from search_app.cli_accounts import FIRST_ADMIN_HINT

    data = tmp_path / "data"
    data.mkdir()
    (data / "index").symlink_to(built_index.index.dir)
    config = tmp_path / "config.toml"
    config.write_text('[index]\ndir = "data/index"\n', encoding="utf-8")
    served = []
    monkeypatch.setattr("search_app.server.serve", lambda *a: served.append(a))
    first = cli_runner.invoke(main, ["serve", "--config", str(config)])
    assert first.exit_code == 0 and served
    assert "no administrator yet" in first.output and "users add NAME --role 管理员" in \
        first.output and FIRST_ADMIN_HINT.splitlines()[1].strip() in first.output
    assert "without logging in: 公开 records" in first.output
    assert (data / SECRET_FILE).exists()  # made before gunicorn starts its workers
    cli_runner.invoke(main, ["users", "add", "首任管理员", "--config", str(config), "--role",
                             ADMIN, "--clearance", "绝密", "--password", PASSWORD])
    again = cli_runner.invoke(main, ["serve", "--config", str(config)])
    assert again.exit_code == 0 and "no administrator yet" not in again.output


def test_cli_search_reads_as_an_administrator(built_index, cli_runner, tmp_path):
    from search_app.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ndir = "{built_index.index.dir.as_posix()}"\n[auth]\n'
                      'anonymous_clearance = "off"\n', encoding="utf-8")
    out = cli_runner.invoke(main, ["search", "交警", "--config", str(config)])
    assert out.exit_code == 0 and "1 条结果" in out.output and "交警支队工作总结" in out.output


def test_lockouts_start_at_the_failure_that_reaches_the_limit():
    from search_app.throttle import locked_until

    assert locked_until([], 5) == 0
    assert locked_until([0, 100, 200, 300], 5) == 0  # four
    assert locked_until([0, 100, 200, 300, 400], 5) == 400 + 900
    assert locked_until([0, 100, 200, 300, 901], 5) == 0  # five, not within 15 minutes
    assert locked_until([0, 1, 2, 3, 4, 2000, 2001, 2002, 2003, 2004], 5) == 2004 + 900
