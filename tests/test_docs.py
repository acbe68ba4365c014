"""README documents every config key, every API parameter and every command."""
from dataclasses import fields
from pathlib import Path
from typing import get_type_hints

from indexer.config import Settings
from search_app.params import PARAMS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_config_key_is_documented():
    for name, section in get_type_hints(Settings).items():
        if name == "source":
            continue
        for key in fields(section):
            assert f"`[{name}] {key.name}`" in README, (name, key.name)


def test_every_api_parameter_is_documented():
    for param in PARAMS + ("width",):
        assert f"`{param}`" in README, param


def test_commands_are_documented():
    for command in ("make run", "make test", "dangan index", "dangan serve", "dangan search"):
        assert command in README


def test_every_cli_command_is_documented():
    from search_app.cli import main

    for name in main.commands:
        assert f"dangan {name}" in README, name


def test_the_readme_table_of_fields_is_the_registry():
    from indexer.fields import FIELDS

    for f in FIELDS:
        assert f"| `{f.name}` | {f.label} | {', '.join(f.aliases) or '—'} |" in README, f.name
