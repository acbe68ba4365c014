"""The dangan command line: index, search, exit codes and messages."""
import json
import re
import subprocess
import sys

from conftest import make_settings, write_corpus

from indexer.search.vartable import TABLE_FILE
from search_app.cli import main


def config_for(tmp_path, corpus=None):
    cfg = tmp_path / "config.toml"
    lines = ['[index]\ndir = "data/index"\n']
    if corpus:
        lines.append(f'[corpus]\npaths = ["{corpus.as_posix()}"]\n')
    cfg.write_text("".join(lines), encoding="utf-8")
    return cfg


NO_FLASK = """
import sys
from search_app import cli
assert "flask" not in sys.modules, "importing the command line loads Flask"
try:
    cli.main(sys.argv[1:])
except SystemExit as e:
    assert e.code in (0, None), e.code
assert "flask" not in sys.modules, "dangan index loads Flask"
"""


def test_index_runs_without_flask(tmp_path):
    """Flask is for `dangan serve` only: neither the command line nor an index run load it."""
    cfg = config_for(tmp_path, write_corpus(tmp_path / "c"))
    done = subprocess.run([sys.executable, "-c", NO_FLASK, "index", "--config", str(cfg)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "added 6" in done.stdout + done.stderr


def test_index_then_search(tmp_path, cli_runner):
    corpus = write_corpus(tmp_path / "c")
    cfg = config_for(tmp_path, corpus)
    result = cli_runner.invoke(main, ["index", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "added 6" in result.output
    assert re.search(r"variants of \d+ known names and common words worked out", result.output), result.output
    assert (tmp_path / "data" / "index" / TABLE_FILE).exists()
    result = cli_runner.invoke(main, ["search", "档案保密", "--config", str(cfg)])
    assert result.exit_code == 0 and "3 条结果" in result.output
    assert "【檔案保密】" in result.output
    hits = [x for x in result.output.splitlines() if " id=" in x]
    assert len(hits) == 3 and not any("[ " in x or " ]" in x or "[]" in x for x in hits), hits
    result = cli_runner.invoke(main, ["search", "王建成", "--json", "--config", str(cfg)])
    data = json.loads(result.output)
    assert data["ok"] and data["total"] == 1 and data["hits"][0]["path"] == "文书/2019/zongjie.txt"
    result = cli_runner.invoke(main, ["search", "王建城", "--config", str(cfg)])  # 城 for 成
    assert result.exit_code == 0, result.output
    assert "其中 0 条完全匹配" in result.output and "您是不是要找：王建成" in result.output
    lines = result.output.splitlines()
    divider = lines.index("—— 以下为近似结果 ——")
    assert "按“王建成”找到" in lines[divider + 1] and "【王建成】" in result.output


def test_index_paths_from_the_command_line_and_dry_run(tmp_path, cli_runner):
    corpus = write_corpus(tmp_path / "c")
    cfg = config_for(tmp_path)
    result = cli_runner.invoke(main, ["index", str(corpus), "--config", str(cfg), "--dry-run"])
    assert result.exit_code == 0 and "to extract 6" in result.output
    assert not (tmp_path / "data" / "index" / "MAIN_WRITELOCK").exists()


def test_failed_files_exit_1_with_reasons(tmp_path, cli_runner):
    corpus = write_corpus(tmp_path / "c")
    (corpus / "bad.txt").write_bytes(bytes(range(256)) * 8)
    result = cli_runner.invoke(main, ["index", "--config", str(config_for(tmp_path, corpus))])
    assert result.exit_code == 1
    assert "failed: c/bad.txt" in result.output and "decode" in result.output


def test_usage_and_config_errors_exit_2(tmp_path, cli_runner):
    result = cli_runner.invoke(main, ["index", "--config", str(config_for(tmp_path))])
    assert result.exit_code == 2 and "no corpus folder" in result.output
    result = cli_runner.invoke(main, ["index", str(tmp_path / "missing"), "--config",
                                      str(config_for(tmp_path))])
    assert result.exit_code == 2 and "corpus folder not found" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[index]\nfolder = 'x'\n")
    result = cli_runner.invoke(main, ["search", "x", "--config", str(bad)])
    assert result.exit_code == 2 and "unknown key 'folder'" in result.output


def test_search_without_index_says_what_to_do(tmp_path, cli_runner):
    result = cli_runner.invoke(main, ["search", "档案", "--config", str(config_for(tmp_path))])
    assert result.exit_code == 2 and "run dangan index" in result.output


def test_malformed_query_is_a_message_not_a_traceback(tmp_path, cli_runner):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    from indexer.build.run import run_index

    run_index(settings)
    result = cli_runner.invoke(main, ["search", "AND", "--config", str(config_for(tmp_path))])
    assert result.exit_code == 0 and "请注意：查询中没有可检索的词" in result.output
    assert "0 条结果" in result.output and "Traceback" not in result.output
    result = cli_runner.invoke(main, ["search", "(" * 40 + "档案", "--config",
                                      str(config_for(tmp_path))])
    assert result.exit_code == 2 and "嵌套太深" in result.output
    assert "Traceback" not in result.output


def test_everything_dangan_stores_is_readable_by_its_owner_only(tmp_path):
    """A real `dangan index` started with the usual umask 022, then the web app (log-in,
    register, page image): every file under the data folder is 0600 and every folder 0700 (the
    index holds every record's text; thumbnails are pictures of the originals)."""
    import os
    import stat
    import subprocess

    from conftest import admin_client
    from test_browser import text_pdf
    from test_server import dangan_command

    from indexer.config import load_settings
    from search_app.app import create_app

    corpus = write_corpus(tmp_path / "c")
    text_pdf([["档案工作报告", "王建成负责查阅登记"]], corpus / "report.pdf")
    cfg = config_for(tmp_path, corpus)
    done = subprocess.run(dangan_command() + ["index", "--config", str(cfg)], cwd=tmp_path,
                          capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    before = os.umask(0o022)  # the web app on its own, as under any WSGI server
    try:
        client = admin_client(create_app(load_settings(cfg)))
        (hit,) = client.get("/api/search", query_string={"q": "查阅登记 type:pdf"}).get_json()[
            "hits"]
        assert client.get(f"/api/records/{hit['id']}/pages/1.png").status_code == 200
    finally:
        os.umask(before)
    data = tmp_path / "data"
    made = [data, *data.rglob("*")]
    names = {p.name for p in made}
    assert {"index", "thumbs", "ocr-cache.sqlite", "manifest.sqlite", "accounts.sqlite",
            "audit.sqlite", "secret.key"} <= names
    assert any(p.suffix == ".png" for p in made) and any(p.suffix == ".seg" for p in made)
    for path in made:
        mode = path.lstat().st_mode
        assert stat.S_IMODE(mode) & 0o077 == 0, (str(path.relative_to(tmp_path)), oct(mode))


def test_a_file_name_cannot_forge_or_hide_lines_of_the_run_output(tmp_path, cli_runner):
    """A file named with a line break and terminal escapes (an intruder's, failing as empty)
    is shown with them written out: no forged `failed:` line, no raw escape reaches the
    terminal, in the run's output and in a dry run's plan."""
    corpus = write_corpus(tmp_path / "c")
    forged = "n5\nfailed: corpus∕文书∕x.txt: 内存超过限制\x1b[2K\x1b[1A\u202e.txt"
    (corpus / forged).write_bytes(b"")
    cfg = config_for(tmp_path, corpus)
    for args in (["index", "--dry-run"], ["index"]):
        result = cli_runner.invoke(main, [*args, "--config", str(cfg)])
        assert "\x1b" not in result.output and "\u202e" not in result.output, args
        assert not any(line.startswith("failed: corpus∕文书∕x.txt")
                       for line in result.output.splitlines()), args
        assert "n5\\nfailed: corpus∕文书∕x.txt" in result.output, (args, result.output)
