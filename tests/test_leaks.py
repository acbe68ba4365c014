"""The leak matrix: for every reader (anonymous, each 密级, an administrator below 绝密, and
anonymous access switched off) and every endpoint that shows records, no record above the
reader's clearance appears: not as a hit, in a total, a facet count, a snippet, a similar-
records list, the register, nor by guessing its id (404, the same page as a missing id).

The archive: the six sample records (公开, 内部, 秘密) and five PDFs, one per 密级, that share the
marker word 泄密测试 and most of their text (so each is a 相关记录 of the others), each with a
word, title, 责任者 and year of its own."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import pytest
from conftest import csrf_token, login, make_settings, write_corpus
from test_browser import text_pdf

from indexer.build.run import run_index
from indexer.fields import SECURITY_LEVELS
from search_app.app import create_app
from search_app.accounts import ADMIN, EDITOR, READER
from search_app.security import SESSION_COOKIE

MARKER = "泄密测试"
UNIQUE = {"公开": "青松翠竹", "内部": "红梅傲雪", "秘密": "白鹤凌云", "机密": "金雕展翅",
          "绝密": "玄武镇守"}
ORG = {"公开": "东城档案室", "内部": "西城档案室", "秘密": "南城档案室", "机密": "北城档案室",
       "绝密": "中城档案室"}
YEAR = {level: str(2011 + i) for i, level in enumerate(SECURITY_LEVELS)}
MISSING = "0123456789abcdef"  # an id no record has
PASSWORD = "leak test password"

# reader -> (account name or None, role, clearance, anonymous access)
READERS = {
    "anonymous": (None, None, None, "公开"),
    **{f"reader-{level}": (f"读者{level}", READER, level, "公开") for level in SECURITY_LEVELS},
    "admin-机密": ("管理员机密", ADMIN, "机密", "公开"),
    "editor-秘密": ("编辑秘密", EDITOR, "秘密", "公开"),
    "anonymous-off": (None, None, None, "off"),
}


def pdf_pages(level: str) -> list[list[str]]:
    word = UNIQUE[level]
    return [[f"{MARKER}{word}报告", "各有关单位：", f"本文件编号{word}，用于检验密级过滤。",
             "档案保密工作必须严格执行查阅登记制度，", "涉密档案的借阅、复制和销毁都要登记。"]]


@dataclass
class World:
    apps: dict  # anonymous access ("公开" / "off") -> Flask app over the same index
    ids: dict[str, str]  # 密级 -> the id of that level's marker PDF
    everything: list[dict]  # every record, as the JSON API's hits (read at 绝密)
    cookies: dict = field(default_factory=dict)

    def levels(self, reader: str) -> tuple[str, ...]:
        """The 密级 this reader may see; () when the reader may see nothing."""
        _name, _role, level, anonymous = READERS[reader]
        top = level or (anonymous if anonymous != "off" else None)
        return SECURITY_LEVELS[: SECURITY_LEVELS.index(top) + 1] if top else ()

    def client(self, reader: str):
        name, _role, _level, anonymous = READERS[reader]
        c = self.apps[anonymous].test_client()
        if name:
            if reader not in self.cookies:
                assert login(c, name, PASSWORD).status_code == 303
                self.cookies[reader] = c.get_cookie(SESSION_COOKIE).value
            c.set_cookie(SESSION_COOKIE, self.cookies[reader])
        return c

    def hidden(self, levels) -> list[str]:
        """Strings that must never reach a reader of these levels: the words, titles,
        责任者 and ids of the marker records above them, and every id above them."""
        out = []
        for level in SECURITY_LEVELS:
            if level not in levels:
                out += [UNIQUE[level], ORG[level], f"{MARKER}{UNIQUE[level]}报告", self.ids[level]]
        out += [h["id"] for h in self.everything if h["security"] not in levels]
        return out

    def visible(self, levels) -> list[dict]:
        return [h for h in self.everything if h["security"] in levels]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("leaks")
    corpus = write_corpus(root / "corpus")
    folder = corpus / "机要"
    folder.mkdir()
    rows = ["文件,题名,责任者,日期,门类,文种,保管期限,密级"]
    for level in SECURITY_LEVELS:
        text_pdf(pdf_pages(level), folder / f"{YEAR[level]}.pdf")
        rows.append(f"{YEAR[level]}.pdf,{MARKER}{UNIQUE[level]}报告,{ORG[level]},"
                    f"{YEAR[level]}-06-01,机要,报告,永久,{level}")
    (folder / "catalog.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = make_settings(root / "data" / "index", corpus)
    assert not run_index(settings).failed
    apps = {"公开": create_app(settings),
            "off": create_app(make_settings(root / "data" / "index", corpus,
                                            auth={"anonymous_clearance": "off"}))}
    accounts = apps["公开"].extensions["dangan.accounts"]
    for name, role, level, _anonymous in READERS.values():
        if name:
            accounts.add(name, PASSWORD, role, level)
    accounts.add("总管理员", PASSWORD, ADMIN, "绝密")
    w = World(apps, {}, [])
    top = apps["公开"].test_client()
    assert login(top, "总管理员", PASSWORD).status_code == 303
    w.everything = top.get("/api/search", query_string={"size": 1000}).get_json()["hits"]
    assert Counter(h["security"] for h in w.everything) == {
        "公开": 4, "内部": 3, "秘密": 2, "机密": 1, "绝密": 1}
    for level in SECURITY_LEVELS:
        (hit,) = top.get("/api/search", query_string={"q": UNIQUE[level]}).get_json()["hits"]
        assert hit["security"] == level and hit["org"] == ORG[level]
        w.ids[level] = hit["id"]
    # reads at 绝密 in the register: an administrator below 绝密 must not see them
    assert top.get(f"/records/{w.ids['绝密']}", query_string={"q": UNIQUE["绝密"]}).status_code \
        == 200
    # the similar-records check means something: at 绝密 the 公开 PDF's list has all the others
    similar = top.get(f"/api/records/{w.ids['公开']}/similar", query_string={"size": 20})
    assert {w.ids[level] for level in SECURITY_LEVELS[1:]} <= {
        h["id"] for h in similar.get_json()["hits"]}
    return w


def fetch(w: World, c, levels, url: str, status: int = 200, **params):
    """GET url; assert nothing above `levels` is in the answer (but what the request itself
    said, which pages echo), and its status: `status` for a reader who may read, the way to the
    login page (HTML) or 401 (API) for one who may not. The answer, or None for the latter."""
    r = c.get(url, query_string=params or None)
    body = r.get_data()
    asked = url + " ".join(map(str, params.values()))
    for secret in w.hidden(levels):
        if secret not in asked:
            assert secret.encode() not in body, (url, params, secret)
    if not levels:
        if url.startswith("/api/"):
            assert r.status_code == 401 and r.get_json()["ok"] is False
        else:
            assert r.status_code == 302 and "/login" in r.headers["Location"]
        return None
    assert r.status_code == status, (url, params, r.status_code, body[:300])
    return r


def not_found_alike(w: World, c, levels, url: str, record_id: str) -> None:
    """A record above clearance answers exactly as an id that does not exist."""
    hidden = fetch(w, c, levels, url.format(record_id), status=404)
    if hidden is None:
        return
    missing = fetch(w, c, levels, url.format(MISSING), status=404)
    assert _comparable(hidden.get_data(), record_id) == _comparable(missing.get_data(), MISSING)
    assert hidden.headers.get("Content-Type") == missing.headers.get("Content-Type")


def _comparable(body: bytes, record_id: str) -> bytes:
    """A page with its record id and its CSRF token masked (the token is signed with the
    time, so two pages a second apart differ there whatever they show)."""
    body = body.replace(record_id.encode(), b"ID")
    return re.sub(rb'(name="csrf_token" value=")[^"]*"', rb'\1TOKEN"', body)


def expected_facets(w: World, levels) -> dict[str, Counter]:
    return {name: Counter(h[name] for h in w.visible(levels) if h[name])
            for name in ("category", "kind", "org", "retention", "security", "type")}


def html_facet(html: str, name: str) -> dict[str, int]:
    section = html.split(f'<section class="facet facet-{name}"')
    if len(section) < 2:
        return {}
    values = re.findall(r'<span class="value">([^<]*)</span>(?:<span class="bar"[^>]*>'
                        r'<span[^>]*></span></span>)?<span class="n">(\d+)</span>',
                        section[1].split("</section>")[0])
    return {v: int(n) for v, n in values}


# --- the endpoints ---------------------------------------------------------------------------

def search_page(w, c, levels, _role):
    r = fetch(w, c, levels, "/", q=MARKER)
    if r is None:
        return
    html = r.get_data(as_text=True)
    markers = [lv for lv in SECURITY_LEVELS if lv in levels]
    assert f"共 <strong>{len(markers)}</strong> 条记录" in html
    assert html_facet(html, "security") == {lv: 1 for lv in markers}
    assert html_facet(html, "category") == {"机要": len(markers)}
    assert set(html_facet(html, "year")) == {YEAR[lv] for lv in markers}
    assert html.count('<li class="hit">') == len(markers)


def search_api(w, c, levels, _role):
    r = fetch(w, c, levels, "/api/search", q=MARKER, size=100)
    if r is None:
        return
    data = r.get_json()
    markers = [lv for lv in SECURITY_LEVELS if lv in levels]
    assert data["total"] == len(markers) == len(data["hits"])
    assert {h["id"] for h in data["hits"]} == {w.ids[lv] for lv in markers}
    facets = {k: {v["value"]: v["count"] for v in vs} for k, vs in data["facets"].items()}
    assert facets["security"] == {lv: 1 for lv in markers}
    assert facets["category"] == {"机要": len(markers)}
    assert facets["org"] == {ORG[lv]: 1 for lv in markers}
    assert facets["year"] == {YEAR[lv]: 1 for lv in markers}
    for hit in data["hits"]:
        assert any(UNIQUE[hit["security"]] in s["html"] for s in hit["snippets"])


def search_time(w, c, levels, _role):
    """How long a search took (took_ms, 用时) is told to 绝密 readers only: for anyone else the
    time could betray work done for records they may not see."""
    r = fetch(w, c, levels, "/api/search", q=UNIQUE["绝密"])
    if r is None:
        return
    top = levels[-1] == SECURITY_LEVELS[-1]
    assert ("took_ms" in r.get_json()) == top
    html = fetch(w, c, levels, "/", q=UNIQUE["绝密"]).get_data(as_text=True)
    assert ("用时" in html) == top


def listing_page(w, c, levels, _role):
    """The empty query lists every record the reader may see, with every facet's counts."""
    r = fetch(w, c, levels, "/", size=100)
    if r is None:
        return
    html = r.get_data(as_text=True)
    assert f"共 <strong>{len(w.visible(levels))}</strong> 条记录" in html
    expected = expected_facets(w, levels)
    for name in ("category", "security", "org"):
        assert html_facet(html, name) == dict(expected[name]), name


def listing_api(w, c, levels, _role):
    r = fetch(w, c, levels, "/api/search", size=1000)
    if r is None:
        return
    data = r.get_json()
    assert data["total"] == len(w.visible(levels))
    assert {h["id"] for h in data["hits"]} == {h["id"] for h in w.visible(levels)}
    facets = {k: Counter({v["value"]: v["count"] for v in vs}) for k, vs in
              data["facets"].items()}
    for name, counts in expected_facets(w, levels).items():
        assert facets[name] == counts, name
    assert not {YEAR[lv] for lv in SECURITY_LEVELS if lv not in levels} & set(facets["year"])


def own_words(w, c, levels, _role):
    """Each marker record's own word, as a query, on the page and in the API."""
    for level in SECURITY_LEVELS:
        expected = 1 if level in levels else 0
        r = fetch(w, c, levels, "/api/search", q=UNIQUE[level])
        if r is None:
            return
        assert r.get_json()["total"] == expected
        # (a withheld 北城档案室 may still find the visible 东城档案室, one character off, as it
        # would in an archive without the withheld record: approximate, and not that record)
        r = fetch(w, c, levels, "/api/search", q=f"{ORG[level]} OR {UNIQUE[level]}")
        found = r.get_json()
        assert found["exact_total"] == expected
        assert (w.ids[level] in {h["id"] for h in found["hits"]}) == bool(expected)
        r = fetch(w, c, levels, "/", q=f"{ORG[level]} OR {UNIQUE[level]}")
        assert (w.ids[level] in r.get_data(as_text=True)) == bool(expected)


def filters(w, c, levels, _role):
    """Filtering on a 密级, a 责任者 or a year above clearance finds nothing."""
    for level in SECURITY_LEVELS:
        visible = level in levels
        for params in ({"security": level}, {"org": ORG[level]}, {"year": YEAR[level]},
                       {"q": f"密级:{level} {MARKER}"}, {"q": f"id:{w.ids[level]}"}):
            r = fetch(w, c, levels, "/api/search", **params)
            if r is None:
                return
            total = r.get_json()["total"]
            assert (total > 0) == visible, (params, total)


def record_page(w, c, levels, _role):
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/records/{w.ids[level]}", q=MARKER)
            assert UNIQUE[level] in r.get_data(as_text=True)
        else:
            not_found_alike(w, c, levels, "/records/{}", w.ids[level])


def record_api(w, c, levels, _role):
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/api/records/{w.ids[level]}")
            assert r.get_json()["record"]["security"] == level
        else:
            not_found_alike(w, c, levels, "/api/records/{}", w.ids[level])


def page_image(w, c, levels, _role):
    for level in SECURITY_LEVELS:
        for ext, mimetype in (("png", "image/png"), ("jpg", "image/jpeg")):
            if level in levels:
                r = fetch(w, c, levels, f"/api/records/{w.ids[level]}/pages/1.{ext}",
                          width=400)
                assert r.mimetype == mimetype
            else:
                not_found_alike(w, c, levels, f"/api/records/{{}}/pages/1.{ext}", w.ids[level])


def page_hits(w, c, levels, _role):
    """Where the marker is drawn on each page image: boxes for a record the reader may see,
    the same 404 as a missing id for any other."""
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/api/records/{w.ids[level]}/pages/1/hits", q=MARKER)
            assert r.get_json()["hits"][0]["boxes"]
        else:
            not_found_alike(w, c, levels, "/api/records/{}/pages/1/hits", w.ids[level])


def download(w, c, levels, _role):
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/records/{w.ids[level]}/download")
            assert r.get_data().startswith(b"%PDF")
        else:
            not_found_alike(w, c, levels, "/records/{}/download", w.ids[level])


def similar_api(w, c, levels, _role):
    allowed = {h["id"] for h in w.visible(levels)}
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/api/records/{w.ids[level]}/similar", size=20)
            found = {h["id"] for h in r.get_json()["hits"]}
            assert found <= allowed
            assert found >= {w.ids[lv] for lv in levels if lv != level}  # the others it may see
        else:
            not_found_alike(w, c, levels, "/api/records/{}/similar", w.ids[level])


def similar_page(w, c, levels, _role):
    allowed = {h["id"] for h in w.visible(levels)}
    for level in SECURITY_LEVELS:
        if level not in levels:
            continue
        html = fetch(w, c, levels, f"/records/{w.ids[level]}").get_data(as_text=True)
        listed = set(re.findall(r'<a href="/records/([0-9a-f]+)">',
                                html.split('<section class="similar"')[1]))
        assert listed <= allowed and listed >= {w.ids[lv] for lv in levels if lv != level}


def register_pages(w, c, levels, role):
    """The 查阅登记 and the account pages: administrators only, and then only the reads made
    within their own clearance. (Other readers' queries may hold any word or id they typed: a
    query made under a lower clearance tells nothing of the records above it.)"""
    above = [h["id"] for h in w.everything if h["security"] not in levels]
    for url in ("/admin/audit", "/admin/audit.csv", "/admin/users"):
        r = c.get(url)
        if role != ADMIN:
            for secret in w.hidden(levels):
                assert secret.encode() not in r.get_data(), (url, secret)
        if role is None:
            assert r.status_code == 302 and "/login" in r.headers["Location"]
        elif role in (READER, EDITOR):
            assert r.status_code == 403 and "只有管理员" in r.get_data(as_text=True)
        elif url.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
            assert rows and {row["查阅密级"] for row in rows} <= {*levels, ""}
            assert {row["记录"] for row in rows if row["记录"]} & {h["id"] for h in
                                                                 w.visible(levels)}
            assert not {row["记录"] for row in rows} & set(above)
        else:
            assert r.status_code == 200
            linked = re.findall(r'href="/records/([0-9a-f]+)"', r.get_data(as_text=True))
            assert not set(linked) & set(above)


def export_api(w, c, levels, _role):
    """The CSV export lists exactly the marker records the reader may see (fetch checks that
    nothing above them is in the file)."""
    r = fetch(w, c, levels, "/api/export", q=MARKER, format="csv")
    if r is None:
        return
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["编号"] for row in rows} == {w.ids[level] for level in levels}


def zip_download(w, c, levels, _role):
    """Chosen records: one above clearance answers as an unknown id; a search's zip holds the
    visible marker records only (checked inside the zip: its entries are compressed)."""
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, "/api/download", ids=w.ids[level])
            assert r.mimetype == "application/zip"
        else:
            not_found_alike(w, c, levels, "/api/download?ids={}", w.ids[level])
    r = fetch(w, c, levels, "/api/download", q=MARKER)
    if r is None:
        return
    z = zipfile.ZipFile(io.BytesIO(r.get_data()))
    inside = b"".join(z.read(name) for name in z.namelist())
    for secret in w.hidden(levels):
        assert secret.encode() not in inside, secret
    assert len(z.namelist()) == len(levels) + 1  # the visible marker records and 清单.csv


# corrections sent by every reader: none is stored (an empty note, or nothing to revert), so
# the shared archive is never changed; what matters is that a record above clearance answers
# exactly as an unknown id
WRITES = (("patch", "/api/records/{}", {"org": "改", "note": ""}),
          ("put", "/api/records/{}/pages/1/text", {"text": "改", "note": ""}),
          ("delete", "/api/records/{}/pages/1/text", None),
          ("delete", "/api/records/{}/corrections/org", None))


def corrections_api(w, c, levels, role):
    for level in SECURITY_LEVELS:
        if level in levels:
            r = fetch(w, c, levels, f"/api/records/{w.ids[level]}/corrections")
            assert r.get_json()["corrections"] == []
        else:
            not_found_alike(w, c, levels, "/api/records/{}/corrections", w.ids[level])
    html = c.get("/").get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = c.get("/login").get_data(as_text=True)
    headers = {"X-CSRFToken": csrf_token(html)} if 'name="csrf_token"' in html else {}
    for method, url, body in WRITES:
        missing = getattr(c, method)(url.format(MISSING), json=body, headers=headers)
        for level in SECURITY_LEVELS:
            r = getattr(c, method)(url.format(w.ids[level]), json=body, headers=headers)
            for secret in w.hidden(levels):
                if secret != w.ids[level]:  # the answer may echo the id it was asked for
                    assert secret.encode() not in r.get_data(), (url, secret)
            if not levels or role is None:
                assert r.status_code == 401 and r.get_json()["ok"] is False
            elif role == READER:
                assert r.status_code == 403 and "编辑" in r.get_json()["error"]
            elif level in levels:
                assert r.status_code == (404 if method == "delete" else 400), r.get_json()
            else:
                assert r.status_code == 404
                assert (_comparable(r.get_data(), w.ids[level])
                        == _comparable(missing.get_data(), MISSING))


ENDPOINTS = {
    "search page": search_page,
    "search API": search_api,
    "search time": search_time,
    "listing page facets": listing_page,
    "listing API facets": listing_api,
    "own words": own_words,
    "filters and fields": filters,
    "record page": record_page,
    "record API": record_api,
    "page image": page_image,
    "page hits": page_hits,
    "download": download,
    "similar API": similar_api,
    "similar on the record page": similar_page,
    "register and accounts": register_pages,
    "export": export_api,
    "zip download": zip_download,
    "corrections": corrections_api,
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("reader", READERS)
def test_no_record_above_clearance_leaks(world, reader, endpoint):
    levels = world.levels(reader)
    ENDPOINTS[endpoint](world, world.client(reader), levels, READERS[reader][1])


def register_rows(c) -> list[dict]:
    r = c.get("/admin/audit.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_register_of_an_administrator_below_top_clearance(world):
    """The 机密 administrator sees the register without the reads made at 绝密 (the 总管理员's
    view of the 绝密 record, with its query); the 绝密 administrator sees those too."""
    def top_secret_view(rows):
        return [row for row in rows if row["记录"] == world.ids["绝密"]
                and row["检索词"] == UNIQUE["绝密"] and row["用户"] == "总管理员"]

    below = register_rows(world.client("admin-机密"))
    assert {row["查阅密级"] for row in below} <= {*SECURITY_LEVELS[:4], ""}
    assert not top_secret_view(below) and any(row["用户"] == "总管理员" for row in below)
    top = world.apps["公开"].test_client()
    login(top, "总管理员", PASSWORD)
    full = register_rows(top)
    assert len(top_secret_view(full)) == 1 and len(full) > len(below)


def test_an_administrator_cannot_reach_above_their_own_clearance(world):
    """Not by making an account of a higher 密级, raising one, or taking over one."""
    c = world.client("admin-机密")
    token = csrf_token(c.get("/admin/users").get_data(as_text=True))
    accounts = world.apps["公开"].extensions["dangan.accounts"]
    r = c.post("/admin/users", data={"name": "越权", "password": PASSWORD, "role": READER,
                                     "clearance": "绝密", "csrf_token": token},
               follow_redirects=True)
    assert "不能授予或管理更高的密级" in r.get_data(as_text=True) and not accounts.get("越权")
    for op, value in (("clearance", "绝密"), ("password", "taken over!")):
        target = "读者机密" if op == "clearance" else "读者绝密"
        before = accounts.get(target)
        r = c.post("/admin/users/change", data={"name": target, "op": op, "value": value,
                                                "csrf_token": token}, follow_redirects=True)
        assert "不能授予或管理更高的密级" in r.get_data(as_text=True)
        assert accounts.get(target) == before


# --- path traversal, the register's one row per read, changes that take effect at once --------

TRAVERSALS = ["..", "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
              "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cconfig.toml", "..\\..\\config.toml",
              "%252e%252e%252f", "....//....//etc/passwd", "/etc/passwd", "%00", "机要/2015.pdf"]


@pytest.mark.parametrize("route", ["/records/{}", "/records/{}/download", "/api/records/{}",
                                   "/api/records/{}/pages/1.png", "/api/records/{}/pages/1.jpg",
                                   "/api/records/{}/similar", "/api/records/{}/pages/1/hits"])
@pytest.mark.parametrize("bad", TRAVERSALS)
def test_path_traversal_is_a_404(world, route, bad):
    c = world.client("reader-绝密")
    r = c.get(route.format(bad))
    assert r.status_code == 404, (route, bad, r.status_code)
    assert b"root:" not in r.get_data() and b"[index]" not in r.get_data()


READS = [  # (what, url template, action)
    ("search page", "/?q=" + MARKER, "search"),
    ("search API", "/api/search?q=" + MARKER, "search"),
    ("listing page", "/", "search"),
    ("record page", "/records/{id}?q=" + MARKER, "record"),
    ("record API", "/api/records/{id}", "record"),
    ("page image", "/api/records/{id}/pages/1.png?width=400", "page"),
    ("page hits", "/api/records/{id}/pages/1/hits?q=" + MARKER, "hits"),
    ("page image jpg", "/api/records/{id}/pages/1.jpg?width=400", "page"),
    ("download", "/records/{id}/download", "download"),
    ("similar API", "/api/records/{id}/similar", "similar"),
    ("zip download", "/api/download?ids={id}", "download"),
]


@pytest.mark.parametrize("reader", ["anonymous", "reader-秘密"])
@pytest.mark.parametrize("what, url, action", READS, ids=[r[0] for r in READS])
def test_each_read_writes_exactly_one_row(world, reader, what, url, action):
    log = world.apps["公开"].extensions["dangan.audit"]
    c = world.client(reader)
    before = log.count()
    r = c.get(url.format(id=world.ids["公开"]))
    assert r.status_code == 200
    assert log.count() == before + 1, what
    (row,) = log.find(limit=1)
    name = READERS[reader][0] or ""
    assert (row.user, row.address, row.action) == (name, "127.0.0.1", action)
    assert row.clearance == world.levels(reader)[-1]
    if action == "search":
        assert row.query == ("" if what == "listing page" else MARKER)
        assert '"total": ' in row.detail
    else:
        assert row.record == world.ids["公开"]


def test_refused_and_failed_reads_write_no_read_row(world):
    log = world.apps["公开"].extensions["dangan.audit"]
    c = world.client("reader-内部")
    before = log.count()
    for url in (f"/records/{world.ids['秘密']}", f"/api/records/{MISSING}", "/api/search?q=" + "%28" * 40,
                f"/api/records/{world.ids['绝密']}/pages/1.png",
                f"/api/records/{world.ids['绝密']}/pages/1.jpg"):
        assert c.get(url).status_code in (400, 404)
    assert log.count() == before


def test_search_rows_keep_filters_and_total(world):
    log = world.apps["公开"].extensions["dangan.audit"]
    c = world.client("reader-秘密")
    c.get("/api/search", query_string={"q": MARKER, "category": "机要", "date_from": "2012"})
    (row,) = log.find(limit=1)
    assert row.query == MARKER and row.action == "search"
    assert '"filters": {"category": ["机要"]}' in row.detail and '"total": 2' in row.detail
    assert '"date_from": "2012"' in row.detail


@pytest.fixture()
def own_app(tmp_path, world):
    """An app over the world's index with a data folder (accounts, register) of its own."""
    settings = world.apps["公开"].extensions["dangan.settings"]
    data = tmp_path / "data"
    data.mkdir()
    (data / "index").symlink_to(settings.index.dir)
    return create_app(make_settings(data / "index", settings.corpus.paths[0]))


def test_disabling_or_lowering_a_clearance_takes_effect_on_the_next_request(own_app):
    accounts = own_app.extensions["dangan.accounts"]
    accounts.add("变动", PASSWORD, READER, "绝密")
    c = own_app.test_client()
    assert login(c, "变动", PASSWORD).status_code == 303
    assert c.get("/api/search", query_string={"q": MARKER}).get_json()["total"] == 5
    accounts.set_clearance("变动", "内部")
    data = c.get("/api/search", query_string={"q": MARKER}).get_json()
    assert data["total"] == 1  # logged out: what an anonymous reader sees (公开)
    assert login(c, "变动", PASSWORD).status_code == 303
    assert c.get("/api/search", query_string={"q": MARKER}).get_json()["total"] == 2
    accounts.disable("变动")
    assert c.get("/api/search", query_string={"q": MARKER}).get_json()["total"] == 1
    assert "变动" not in c.get("/").get_data(as_text=True)
    assert login(c, "变动", PASSWORD).status_code == 401


def test_scores_do_not_depend_on_records_above_clearance(world):
    """泄密测试 is in one record a 公开 reader may see and in four they may not: a score computed
    from what the reader may see differs from the one a 绝密 reader gets."""
    def score(reader):
        hits = world.client(reader).get("/api/search", query_string={"q": MARKER}).get_json()
        return next(h["score"] for h in hits["hits"] if h["id"] == world.ids["公开"])

    assert score("reader-公开") != score("reader-绝密")
