"""Config loading: defaults, relative paths, unknown keys reported clearly."""
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.errors import ConfigError


def test_minimal_config_is_complete(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[index]\ndir = "data/index"\n', encoding="utf-8")
    s = load_settings(cfg)
    assert s.index.dir == tmp_path / "data" / "index"
    assert s.corpus.paths == ()
    assert s.search.default_size == 20 and s.server.port == 8000
    assert s.data_dir == tmp_path / "data"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    cfg = tmp_path / "sub" / "c.toml"
    cfg.parent.mkdir()
    cfg.write_text('[corpus]\npaths = ["../archive"]\n[analysis]\nuser_dict = "d.txt"\n')
    s = load_settings(cfg)
    assert s.corpus.paths == (tmp_path / "sub" / "../archive",)
    assert s.analysis.user_dict == tmp_path / "sub" / "d.txt"


@pytest.mark.parametrize("text, message", [
    ("[index]\ndirr = 'x'\n", "unknown key 'dirr'"),
    ("[indx]\n", "unknown section"),
    ("[search]\ndefault_size = 'ten'\n", "must be a int"),
    ("[search]\nsnippets = -1\n", "must not be negative"),
    ("[index\n", "not valid TOML"),
    ("[search]\nsynonyms = ['交警=交通警察', '坏条目']\n", "'坏条目' is not a group"),
    ("[search]\nsynonyms = ['交警=']\n", "'交警=' is not a group"),
])
def test_bad_config_is_a_clear_error(tmp_path, text, message):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_env_variable_names_the_config(tmp_path, monkeypatch):
    cfg = tmp_path / "env.toml"
    cfg.write_text("[server]\nport = 9001\n")
    monkeypatch.setenv("DANGAN_CONFIG", str(cfg))
    assert load_settings().server.port == 9001


def test_shipped_config_loads():
    s = load_settings(Path(__file__).parent.parent / "config.toml")
    assert s.corpus.paths and s.corpus.paths[0].name == "corpus"
