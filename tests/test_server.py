"""A real `dangan serve` (gunicorn) on 127.0.0.1 answering the page, the API and a record."""
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

HOST = "127.0.0.1"
START_TIMEOUT = 30  # seconds for the server to answer
STOP_TIMEOUT = 15  # seconds for it to exit after SIGTERM


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def dangan_command() -> list[str]:
    script = shutil.which("dangan", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-c", "from search_app.cli import main; main()"]


def wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> requests.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dangan serve exited with {proc.returncode}:\n{log.read_text()}")
        try:  # the first answer may be slow: the worker loads the dictionary and the index
            return requests.get(url, timeout=max(1.0, deadline - time.monotonic()))
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    pytest.fail(f"dangan serve did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


@contextmanager
def serving(config: Path, cwd: Path, probe: str = "/api/search"):
    """A real `dangan serve --config config` on a free port of 127.0.0.1, up once `probe`
    answers; yields (base URL, process, the probe's answer, port) and stops it afterwards."""
    port = free_port()
    log = cwd / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(dangan_command() + ["serve", "--config", str(config), "--host",
                                                    HOST, "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        base = f"http://{HOST}:{port}"
        yield base, proc, wait_until_up(proc, base + probe, log), port
    except BaseException:  # a failing test shows what the server logged (a 500's traceback)
        print(f"--- dangan serve log ({log}) ---\n{log.read_text(errors='replace')[-20000:]}")
        raise
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serving_corpus(root: Path, corpus: Path, users=()):
    """`corpus` indexed into root/data/index, these (name, password, role, clearance) accounts
    added, and a real `dangan serve` over it; yields (base URL, settings)."""
    from conftest import make_settings

    from indexer.build.run import run_index
    from search_app.accounts import Accounts

    settings = make_settings(root / "data" / "index", corpus)
    summary = run_index(settings)
    assert not summary.failed, summary.failed
    accounts = Accounts(settings.data_dir)
    for name, password, role, clearance in users:
        accounts.add(name, password, role, clearance)
    accounts.close()
    config = root / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(settings.index.dir.as_posix())}\n",
                      encoding="utf-8")
    with serving(config, root) as (base, _proc, _first, _port):
        yield base, settings


def refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((HOST, port)) != 0


@pytest.fixture()
def server(built_index, tmp_path):
    config = tmp_path / "config.toml"
    index_dir = json.dumps(built_index.index.dir.as_posix())  # a valid TOML basic string
    config.write_text(f"[index]\ndir = {index_dir}\n", encoding="utf-8")
    with serving(config, tmp_path, "/api/search?q=%E7%8E%8B%E5%BB%BA%E6%88%90") as (
            base, proc, first, port):
        yield base, proc, port, first


def test_real_server_answers_search_page_and_record(server):
    base, proc, port, first = server
    assert first.status_code == 200
    data = first.json()
    assert data["ok"] and data["total"] == 1
    hit = data["hits"][0]
    assert hit["path"] == "文书/2019/zongjie.txt"
    assert "<mark>王建成</mark>" in hit["snippets"][0]["html"]

    page = requests.get(f"{base}/", params={"q": "档案保密"}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<mark>檔案保密</mark>" in page.text

    record = requests.get(f"{base}/records/{hit['id']}", params={"q": "王建成"}, timeout=10)
    assert record.status_code == 200
    assert "<h2>第1页" in record.text and "<mark>王建成</mark>" in record.text
    long_query = "档案" * 240 + "王建成"  # 483 Chinese characters: 4,347 bytes of URL
    answer = requests.get(f"{base}/api/search", params={"q": long_query}, timeout=30)
    assert answer.status_code == 200 and answer.json()["ok"], answer.text[:200]
    css = requests.get(f"{base}/static/style.css", timeout=10)
    assert css.status_code == 200 and "mark" in css.text
    missing = requests.get(f"{base}/api/records/0000000000000000", timeout=10)
    assert missing.status_code == 404 and missing.json()["ok"] is False

    proc.terminate()
    assert proc.wait(timeout=STOP_TIMEOUT) == 0  # a clean, graceful shutdown
    assert refuses_connections(port)


def test_real_server_login_search_audit_and_throttling_across_workers(server, built_index):
    """Through gunicorn's two worker processes: a login on one is valid on the other (the
    shared secret key file), a reader sees up to their clearance, each read is one row in the
    register, and failed logins counted by all workers lock the account."""
    from conftest import csrf_token

    from search_app.accounts import Accounts
    from search_app.audit import AuditLog

    base, proc, port, first = server
    accounts = Accounts(built_index.data_dir)
    accounts.add("服务器测试员", "server password", "查阅人", "秘密")
    accounts.add("锁定测试员", "locked password", "查阅人", "秘密")
    log = AuditLog(built_index.data_dir)

    anonymous = requests.get(f"{base}/api/search", params={"q": "交警"}, timeout=10).json()
    assert anonymous["total"] == 0  # the 秘密 record is not there for anonymous readers
    reader = requests.Session()
    token = csrf_token(reader.get(f"{base}/login", timeout=10).text)
    login = reader.post(f"{base}/login", data={"name": "服务器测试员", "password": "server password",
                                               "csrf_token": token}, timeout=10,
                        allow_redirects=False)
    assert login.status_code == 303
    cookie = next(c for c in login.raw.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    before = len(log.find(user="服务器测试员", limit=10**6))
    for _ in range(6):  # enough requests that both workers answer some
        data = reader.get(f"{base}/api/search", params={"q": "交警"}, timeout=10).json()
        assert data["total"] == 1 and data["hits"][0]["security"] == "秘密"
    assert reader.get(f"{base}/records/{data['hits'][0]['id']}", timeout=10).status_code == 200
    rows = log.find(user="服务器测试员", limit=10**6)
    assert len(rows) - before == 7
    assert [r.action for r in rows[:7]] == ["record"] + ["search"] * 6
    assert rows[1].query == "交警" and '"total": 1' in rows[1].detail
    assert rows[0].address == "127.0.0.1"

    attempts = []
    for password in ["wrong password"] * 5 + ["locked password"]:
        s = requests.Session()
        token = csrf_token(s.get(f"{base}/login", timeout=10).text)
        attempts.append(s.post(f"{base}/login", timeout=10, allow_redirects=False,
                               data={"name": "锁定测试员", "password": password,
                                     "csrf_token": token}).status_code)
    assert attempts == [401] * 5 + [429]
    accounts.close()
    log.close()


def test_parallel_wrong_passwords_get_five_guesses_then_a_wait_not_a_lockout(server,
                                                                             built_index):
    """40 wrong passwords for one account sent at once, through gunicorn's processes and
    threads: each attempt is checked and counted in one transaction before its password is,
    so exactly 5 are tried (8 were when they were counted after the check). The account is then
    slowed down, not locked: after the wait it names, the right password works."""
    from concurrent.futures import ThreadPoolExecutor

    from conftest import csrf_token

    from search_app.accounts import Accounts
    from search_app.throttle import THROTTLE_FILE, account_delay

    base, _proc, _port, _first = server
    accounts = Accounts(built_index.data_dir)
    accounts.add("并发测试员", "parallel password", "查阅人", "公开")
    accounts.close()

    def ready() -> tuple[requests.Session, str]:
        s = requests.Session()
        return s, csrf_token(s.get(f"{base}/login", timeout=30).text)

    def attempt(password: str, session=None) -> requests.Response:
        s, token = session or ready()
        return s.post(f"{base}/login", timeout=120, allow_redirects=False,
                      data={"name": "并发测试员", "password": password, "csrf_token": token})

    sessions = [ready() for _ in range(40)]
    start = threading.Barrier(len(sessions))

    def together(session):
        start.wait()
        return attempt("wrong password", session).status_code

    with ThreadPoolExecutor(len(sessions)) as pool:
        codes = list(pool.map(together, sessions))
    # 5 free tries; a 6th only once the wait after the 5th has passed (2 s: on a loaded
    # machine 40 queued requests can take that long), a 7th 4 s after that …
    tried = Counter(codes)[401]
    assert tried >= 5 and tried + Counter(codes)[429] == 40 and Counter(codes)[429] >= 30
    db = sqlite3.connect(built_index.data_dir / THROTTLE_FILE)
    times = [t for (t,) in db.execute("SELECT time FROM attempts WHERE user = '并发测试员' "
                                      "ORDER BY time")]
    db.close()
    assert len(times) == tried
    for k in range(5, len(times)):  # every try beyond the free ones waited its turn
        assert times[k] - times[k - 1] >= account_delay(k), (k, times)
    refused = attempt("parallel password")
    assert refused.status_code == 429 and "秒后再试" in refused.text
    time.sleep(int(refused.headers["Retry-After"]) + 0.5)
    assert attempt("parallel password").status_code == 303
