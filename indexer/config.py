"""Loads config.toml into frozen dataclasses; every key has a working default."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ocr.settings import ENGINES as OCR_ENGINES

from .errors import ConfigError
from .fields import SECURITY_LEVELS


@dataclass(frozen=True)
class IndexSettings:
    dir: Path = Path("data/index")
    workers: int = 0  # 0 = one per CPU core
    commit_every: int = 1000  # records per index commit
    commit_seconds: float = 300.0  # or at least this often
    file_timeout: float = 600.0  # seconds one file may take in a worker (0 = no limit)
    worker_memory_mb: int = 2048  # address space of each extraction worker (0 = no limit)
    max_inflated_mb: int = 100  # a .docx whose parts inflate to more is refused (0 = no limit)
    max_text_chars: int = 2_000_000  # a record's text is cut there, with a warning (0 = never)
    organisations: tuple[str, ...] = ()  # 责任者 the archive knows besides its catalogs' names
    page_images: bool = True  # make each scan/PDF page's shown image while indexing


@dataclass(frozen=True)
class CorpusSettings:
    paths: tuple[Path, ...] = ()


@dataclass(frozen=True)
class AnalysisSettings:
    user_words: tuple[str, ...] = ()
    user_dict: Path | None = None


@dataclass(frozen=True)
class SearchSettings:
    default_size: int = 20
    max_size: int = 1000
    snippets: int = 3
    snippet_chars: int = 120
    title_boost: float = 3.0
    variants: bool = True  # also search typos, OCR misreads, pinyin, short forms (approximate)
    variant_threshold: int = 10  # a term with fewer exact hits than this is also searched loosely
    synonyms: tuple[str, ...] = ()  # "计生=计划生育" groups, added to the shipped list
    export_max: int = 10_000  # hits one export (CSV / Excel) may list; more: narrow the search
    download_max: int = 200  # originals one zip download may hold
    download_max_mb: int = 2048  # and their total size (the zip is made on the server's disk)
    cache_mb: int = 128  # decoded posting lists etc. a server worker keeps per index version
    mapped_mb: int = 128  # index pages a worker holds mapped before it lets them go (0 = never)


@dataclass(frozen=True)
class OcrConfig:
    enabled: bool = True
    languages: str = "chi_sim+chi_tra"
    timeout: float = 120.0  # seconds per page
    preprocess: bool = True
    max_pages: int = 2000
    max_pixels: int = 60_000_000
    max_file_pixels: int = 2_000_000_000  # all pages of one file together (0 = no limit)
    engine: str = "auto"  # "tesseract", "ppocr" or "auto" (see ocr/auto.py)


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    render_timeout: float = 20.0  # seconds to make one page image (in a child process)


@dataclass(frozen=True)
class AuthSettings:
    anonymous_clearance: str = "公开"  # highest 密级 a reader who has not logged in sees, or "off"
    session_hours: float = 8.0  # a login lasts this long
    secure_cookies: bool = False  # Secure session cookie always (HTTPS requests get it anyway)
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto to trust
    download_purpose: bool = False  # originals above 公开 are downloaded only with a stated 用途


ANONYMOUS_OFF = "off"


@dataclass(frozen=True)
class DatabaseSettings:
    # "" = SQLite files beside the index; postgresql://user:password@host:port/database = the
    # accounts, tokens, login throttling, corrections and register of several servers in one
    # PostgreSQL database (never printed: it may hold a password)
    url: str = field(default="", repr=False)


@dataclass(frozen=True)
class Settings:
    index: IndexSettings = field(default_factory=IndexSettings)
    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    server: ServerSettings = field(default_factory=ServerSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    source: Path | None = None

    @property
    def data_dir(self) -> Path:
        """The folder that holds the index and everything else the project stores."""
        return self.index.dir.parent


_SECTIONS = {
    "index": IndexSettings,
    "corpus": CorpusSettings,
    "analysis": AnalysisSettings,
    "search": SearchSettings,
    "ocr": OcrConfig,
    "server": ServerSettings,
    "auth": AuthSettings,
    "database": DatabaseSettings,
}
_PATH_KEYS = {("index", "dir"), ("analysis", "user_dict")}
_PATH_LIST_KEYS = {("corpus", "paths")}


def default_config_path() -> Path | None:
    """`$DANGAN_CONFIG`, then ./config.toml, else None (built-in defaults)."""
    env = os.environ.get("DANGAN_CONFIG")
    if env:
        return Path(env)
    local = Path("config.toml")
    return local if local.exists() else None


def load_settings(path: str | Path | None = None) -> Settings:
    """Read a config file (or the default one) and return validated settings."""
    path = Path(path) if path else default_config_path()
    if path is None:
        return _resolve(Settings(), Path.cwd())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    return settings_from_dict(raw, base=path.resolve().parent, source=path)


def settings_from_dict(raw: dict[str, Any], base: Path, source: Path | None = None) -> Settings:
    """Build settings from a parsed TOML mapping; relative paths are relative to `base`."""
    where = str(source) if source else "config"
    sections = {}
    for name, value in raw.items():
        cls = _SECTIONS.get(name)
        if cls is None:
            raise ConfigError(f"{where}: unknown section [{name}]; known: {', '.join(_SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [{name}] must be a table")
        sections[name] = _build_section(name, cls, value, where)
    if "auth" in sections:
        _check_auth(sections["auth"], where)
    if "search" in sections:
        _check_search(sections["search"], where)
    if "index" in sections:
        _check_organisations(sections["index"].organisations, where)
    if "database" in sections:
        _check_database(sections["database"], where)
    if "ocr" in sections and sections["ocr"].engine not in OCR_ENGINES:
        raise ConfigError(f"{where}: [ocr] engine must be one of {', '.join(OCR_ENGINES)}, "
                          f"got {sections['ocr'].engine!r}")
    return _resolve(Settings(**sections, source=source), base)


def _build_section(name: str, cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {key!r} in [{name}]; known keys: {', '.join(known)}"
            )
        kwargs[key] = _coerce(name, key, value, known[key].default, where)
    return cls(**kwargs)


def _coerce(section: str, key: str, value: Any, default: Any, where: str) -> Any:
    label = f"{where}: [{section}] {key}"
    if (section, key) in _PATH_KEYS:
        if not isinstance(value, str):
            raise ConfigError(f"{label} must be a path string")
        return Path(value) if value else None
    if (section, key) in _PATH_LIST_KEYS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{label} must be a list of path strings")
        return tuple(Path(v) for v in value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{label} must be a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{label} must be true or false, got {value!r}")
        return value
    if not isinstance(default, (int, float, str)):
        return value
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not type(default):
        raise ConfigError(f"{label} must be a {type(default).__name__}, got {value!r}")
    if isinstance(value, (int, float)) and value < 0:
        raise ConfigError(f"{label} must not be negative")
    return value


def _check_search(search: SearchSettings, where: str) -> None:
    for key, most in (("export_max", 100_000), ("download_max", 10_000),
                      ("download_max_mb", 1_000_000), ("cache_mb", 1_000_000)):
        if not 1 <= getattr(search, key) <= most:
            raise ConfigError(f"{where}: [search] {key} must be between 1 and {most}, "
                              f"got {getattr(search, key)}")
    for entry in search.synonyms:
        if len([p for p in entry.split("=") if p.strip()]) < 2:
            raise ConfigError(f"{where}: [search] synonyms: {entry!r} is not a group of two or "
                              "more spellings joined by = (such as \"计生=计划生育\")")


def _check_auth(auth: AuthSettings, where: str) -> None:
    choices = (*SECURITY_LEVELS, ANONYMOUS_OFF)
    if auth.anonymous_clearance not in choices:
        raise ConfigError(f"{where}: [auth] anonymous_clearance must be one of "
                          f"{', '.join(choices)}, got {auth.anonymous_clearance!r}")
    if auth.session_hours <= 0:
        raise ConfigError(f"{where}: [auth] session_hours must be more than 0")


def _check_database(database: DatabaseSettings, where: str) -> None:
    """Empty, or a postgresql:// URL (the message never repeats the URL: it may hold a
    password)."""
    url = database.url.strip()
    if not url:
        return
    example = "postgresql://USER:PASSWORD@HOST:5432/DATABASE"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise ConfigError(f"{where}: [database] url is not a valid URL; write it as "
                          f"{example}") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"{where}: [database] url must be empty (SQLite files beside the "
                          f"index) or a PostgreSQL URL such as {example}; got a URL starting "
                          f"{parts.scheme + '://' if parts.scheme else 'with no scheme'}")
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(f"{where}: [database] url names no server; write it as {example}")


def _check_organisations(names: tuple[str, ...], where: str) -> None:
    for name in names:
        if not name.strip() or len(name.strip()) > 40 or any(c.isspace() for c in name.strip()):
            raise ConfigError(f"{where}: [index] organisations: {name!r} is not an organisation's "
                              "name (1 to 40 characters, no spaces), e.g. \"当阳市档案局\"")


def _resolve(settings: Settings, base: Path) -> Settings:
    def absolute(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else (base / p))

    index = replace(settings.index, dir=absolute(settings.index.dir))
    corpus = replace(settings.corpus, paths=tuple(absolute(p) for p in settings.corpus.paths))
    analysis = replace(settings.analysis, user_dict=absolute(settings.analysis.user_dict))
    return replace(settings, index=index, corpus=corpus, analysis=analysis)
