"""A real `dangan serve` (gunicorn) on 127.0.0.1 answering the page, the API and a record."""
import json
import shutil
import socket
import subprocess
import sys
import time
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


def refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((HOST, port)) != 0


@pytest.fixture()
def server(built_index, tmp_path):
    config = tmp_path / "config.toml"
    index_dir = json.dumps(built_index.index.dir.as_posix())  # a valid TOML basic string
    config.write_text(f"[index]\ndir = {index_dir}\n", encoding="utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            dangan_command() + ["serve", "--config", str(config), "--host", HOST,
                                "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        base = f"http://{HOST}:{port}"
        first = wait_until_up(proc, f"{base}/api/search?q=%E7%8E%8B%E5%BB%BA%E6%88%90", log)
        yield base, proc, port, first
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)


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
    css = requests.get(f"{base}/static/style.css", timeout=10)
    assert css.status_code == 200 and "mark" in css.text
    missing = requests.get(f"{base}/api/records/0000000000000000", timeout=10)
    assert missing.status_code == 404 and missing.json()["ok"] is False

    proc.terminate()
    assert proc.wait(timeout=STOP_TIMEOUT) == 0  # a clean, graceful shutdown
    assert refuses_connections(port)
