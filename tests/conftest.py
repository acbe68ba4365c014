"""Shared fixtures: a small real corpus, a real Whoosh index on disk, the app and a CLI runner."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build.run import run_index
from indexer.config import Settings, settings_from_dict

# path -> (text, encoding); a small archive covering the Chinese regression cases
RECORDS = {
    "文书/2019/zongjie.txt": (
        "新塘桥镇人民政府关于2019年度档案工作的总结\n"
        "一年来，我镇高度重视档案管理工作，由卜剑平负责档案室日常管理，"
        "王建成同志负责档案保密和查阅登记。中华人民共和国国务院有关规定得到落实。\n",
        "utf-8",
    ),
    "文书/2019/tongzhi.txt": (
        "新塘桥镇人民政府文件\n新政发〔2019〕3号\n关于做好道路交通安全工作的通知\n"
        "各村委会：为保障人民群众生命财产安全，现就道路交通安全工作通知如下。\n"
        "二〇一九年五月十二日\n",
        "gb18030",
    ),
    "文书/2021/xiangzhen.txt": (
        "鄉(xiāng)鎮(zhèn)政府年終工作總結(jié)\n鄉(xiāng)鎮(zhèn)是我國最基層的行政機構(gòu)。"
        "本年度加強檔案保密工作，著力推進檔案數字化。\n",
        "utf-8",
    ),
    "公安/2021/jiaojing.txt": (
        "交警支队工作总结\n全市公安交管部门以防事故、保平安为目标，增加路面\f"
        "管理力量三百余人，查获交通肇事逃逸嫌疑车辆五十八台。\n第2页 共2页\n",
        "utf-8",
    ),
    "公安/2021/big5.txt": (
        "公安交通管理工作總結\n本大隊全年查處交通違法行為，確保轄區道路交通安全。\n",
        "big5",
    ),
    "公安/2019/ocr.txt": (
        "乡 镇 档 案 管 理 工 作 计 划\n加 强 档 案 保 密 工 作 ， 王 小 明 负 责 。\n",
        "utf-8",
    ),
}
CATALOG = (
    "文件,档号,题名,责任者,文号,日期,门类,保管期限,密级,persons\n"
    "文书/2019/zongjie.txt,0123-WS·2019-Y-0001,新塘桥镇2019年度档案工作总结,新塘桥镇人民政府,,"
    "2019-12-20,文书,永久,公开,卜剑平；王建成\n"
    "文书/2019/tongzhi.txt,0123-WS·2019-Y-0002,关于做好道路交通安全工作的通知,新塘桥镇人民政府,"
    "新政发〔2019〕3号,20190512,文书,长期,内部,\n"
    "文书/2021/xiangzhen.txt,0123-WS·2021-Y-0001,鄉鎮政府年終工作總結,新塘桥镇人民政府,,2021,"
    "文书,30年,公开,\n"
    "公安/2021/jiaojing.txt,0456-GA·2021-C-0001,交警支队工作总结,襄阳市公安局交通警察支队,,"
    "2021-01-15,公安,长期,秘密,\n"
    "公安/2021/big5.txt,0456-GA·2021-C-0002,公安交通管理工作总结,XX旗公安局交通管理大队,,"
    "2021-03,公安,10年,公开,李秀英\n"
)


def write_corpus(root: Path) -> Path:
    for rel, (text, encoding) in RECORDS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
    (root / "catalog.csv").write_text(CATALOG, encoding="utf-8-sig")
    return root


def make_settings(index_dir: Path, corpus: Path | None = None, **sections) -> Settings:
    # page images are made at index time only where a test asks ([index] page_images)
    raw = {**sections, "index": {"dir": str(index_dir), "page_images": False,
                                 **sections.get("index", {})}}
    if corpus is not None:
        raw["corpus"] = {"paths": [str(corpus)]}
    return settings_from_dict(raw, base=index_dir.parent)


def archive_over(tmp_path_factory, records: dict[str, str], catalog: str, name: str):
    """An Archive over a small corpus of its own (`records`: path → UTF-8 text, and a
    catalog.csv), indexed by `run_index`; the caller closes it."""
    from indexer.build.run import run_index
    from indexer.search.archive import Archive

    corpus = tmp_path_factory.mktemp(name)
    for rel, text in records.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text, encoding="utf-8")
    (corpus / "catalog.csv").write_text(catalog, encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("data") / "index", corpus)
    assert not run_index(settings).failed
    return Archive(settings.index.dir, settings.search)


def app_over(tmp_path: Path, built_index: Settings, **sections):
    """An app over the shared index with a data folder of its own (accounts, register, key),
    and these config sections (e.g. auth={...}, search={...})."""
    from search_app.app import create_app

    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "index").exists():
        (data / "index").symlink_to(built_index.index.dir)
    return create_app(make_settings(data / "index", built_index.corpus.paths[0], **sections))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def settings(tmp_path_factory, corpus_dir) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data") / "index", corpus_dir)


@pytest.fixture(scope="session")
def built_index(settings) -> Settings:
    summary = run_index(settings)
    assert not summary.failed, summary.failed
    return settings


def top_request(**kw):
    """A SearchRequest read with every clearance (绝密): the library has no default one."""
    from indexer.search.archive import SearchRequest

    return SearchRequest(clearance="绝密", **kw)


@pytest.fixture(scope="session")
def archive(built_index):
    from indexer.search.archive import Archive

    a = Archive(built_index.index.dir, built_index.search)
    yield a
    a.close()


ADMIN_NAME, ADMIN_PASSWORD = "测试管理员", "admin password"
_SESSIONS: dict[tuple, str] = {}  # (data dir, session version) -> the admin's session cookie


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name: str, password: str, **extra):
    """Log in through the login form, with its CSRF token, as a browser does; the answer."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                       **extra})


def admin_client(app):
    """A test client logged in as an administrator (clearance 绝密), who is created in the
    app's data folder when missing. The login (a slow password hash) is done once per folder."""
    from search_app.security import SESSION_COOKIE

    accounts = app.extensions["dangan.accounts"]
    admin = accounts.get(ADMIN_NAME) or accounts.add(ADMIN_NAME, ADMIN_PASSWORD, "管理员", "绝密")
    key = (str(app.extensions["dangan.settings"].data_dir), admin.session_version)
    client = app.test_client()
    if key in _SESSIONS:
        client.set_cookie(SESSION_COOKIE, _SESSIONS[key])
    else:
        assert login(client, ADMIN_NAME, ADMIN_PASSWORD).status_code == 303
        _SESSIONS[key] = client.get_cookie(SESSION_COOKIE).value
    return client


@pytest.fixture()
def app(built_index):
    from search_app.app import create_app

    app = create_app(built_index)
    app.config.update(TESTING=True)
    return app


@pytest.fixture()
def client(app):
    """Logged in as an administrator: these tests are about searching, not clearance (see
    test_leaks.py for that)."""
    return admin_client(app)


@pytest.fixture()
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def forked_workers(monkeypatch):
    """Extraction workers forked from this process (not from the fork server), so what a
    test patches here to inject a fault also runs in them."""
    import indexer.build.workerpool

    monkeypatch.setattr(indexer.build.workerpool, "START_METHOD", "fork")


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for this test session (tests/pg.py), stopped at the end."""
    from pg import Server

    server = Server()
    yield server
    server.stop()


@pytest.fixture()
def pg_url(pg_server) -> str:
    """The URL of a new, empty PostgreSQL database (password included)."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request) -> str:
    """`[database] url` for a store test run against both backends: '' (SQLite files beside
    the index) and a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("pg_url")
