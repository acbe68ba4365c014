"""The dangan command line: index, search, exit codes and messages."""
import json

from conftest import make_settings, write_corpus

from search_app.cli import main


def config_for(tmp_path, corpus=None):
    cfg = tmp_path / "config.toml"
    lines = ['[index]\ndir = "data/index"\n']
    if corpus:
        lines.append(f'[corpus]\npaths = ["{corpus.as_posix()}"]\n')
    cfg.write_text("".join(lines), encoding="utf-8")
    return cfg


def test_index_then_search(tmp_path, cli_runner):
    corpus = write_corpus(tmp_path / "c")
    cfg = config_for(tmp_path, corpus)
    result = cli_runner.invoke(main, ["index", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "added 6" in result.output
    result = cli_runner.invoke(main, ["search", "档案保密", "--config", str(cfg)])
    assert result.exit_code == 0 and "3 条结果" in result.output
    assert "【檔案保密】" in result.output
    result = cli_runner.invoke(main, ["search", "王建成", "--json", "--config", str(cfg)])
    data = json.loads(result.output)
    assert data["ok"] and data["total"] == 1 and data["hits"][0]["path"] == "文书/2019/zongjie.txt"


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
    from indexer.build import run_index

    run_index(settings)
    result = cli_runner.invoke(main, ["search", "AND", "--config", str(config_for(tmp_path))])
    assert result.exit_code == 2 and "没有可检索的词" in result.output
    assert "Traceback" not in result.output
