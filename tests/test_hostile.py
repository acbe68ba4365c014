"""The hostile corpus (tests/hostile.py) through the real `dangan index` and the real app: the
run ends with exit 1 and a summary, every bomb and every unclear 密级 fails with its reason,
the ordinary files are indexed at the highest level they were given, links are never followed,
and no reader (anonymous, 内部, 秘密) gets anything above their clearance from any endpoint the
app has (its URL map is walked, so a new endpoint is in the matrix without a change here).

The run is guarded: `dangan index` and its workers get a soft address-space limit of
GUARD_MB each (a bomb decoded without the project's own limits raises MemoryError instead of
taking the machine) and the run is stopped after RUN_TIMEOUT seconds."""
from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import login, make_settings
from hostile import LEVELS, HostileCorpus, build_hostile_corpus
from test_leaks import MISSING, PASSWORD, READERS, World, not_found_alike
from test_server import dangan_command

from search_app.app import create_app
from search_app.accounts import ADMIN
from search_app.security import SESSION_COOKIE

pytestmark = [pytest.mark.slow, pytest.mark.ocr]

GUARD_MB = 4096  # soft RLIMIT_AS of every process of the run
RUN_TIMEOUT = 900  # seconds
HOSTILE_READERS = ("anonymous", "reader-内部", "reader-秘密")
TOP = "hostile-admin"  # a 绝密 administrator: the ground truth of what was indexed
SUMMARY = re.compile(r"^added \d+, updated \d+, moved \d+, unchanged \d+, removed \d+, "
                     r"failed (\d+)", re.M)


@dataclass
class HostileRun:
    corpus: HostileCorpus
    exit_code: int
    output: str  # stdout and stderr of `dangan index`
    records: dict[str, dict]  # path -> hit (JSON API, read at 绝密)


@dataclass
class HostileWorld(World):
    run: HostileRun | None = None
    expected: dict[str, str] = field(default_factory=dict)  # record id -> 密级 it must have

    def hidden(self, levels) -> list[str]:
        """Phrases, ids and outside secrets a reader of `levels` must never get."""
        out = list(self.run.corpus.secrets)
        out += [p for p, level in self.run.corpus.level_of_phrase().items() if level not in levels]
        out += [i for i, level in self.expected.items() if level not in levels]
        return out

    def client(self, reader: str):
        if reader != TOP:
            return super().client(reader)
        c = self.apps["公开"].test_client()
        if TOP not in self.cookies:
            assert login(c, TOP, PASSWORD).status_code == 303
            self.cookies[TOP] = c.get_cookie(SESSION_COOKIE).value
        c.set_cookie(SESSION_COOKIE, self.cookies[TOP])
        return c


def guarded() -> None:
    soft = GUARD_MB << 20
    _cur, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def index(corpus: Path, config: Path) -> tuple[int, str]:
    """`dangan index CORPUS` as a clerk runs it: (exit code, stdout + stderr)."""
    proc = subprocess.Popen(dangan_command() + ["index", str(corpus), "--config", str(config)],
                            cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=guarded, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"dangan index did not end within {RUN_TIMEOUT}s:\n"
                    f"{out.decode(errors='replace')[-3000:]}")
    return proc.returncode, out.decode("utf-8", errors="surrogateescape")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> HostileWorld:
    base = tmp_path_factory.mktemp("hostile")
    corpus = build_hostile_corpus(base / "hostile", base / "secret")
    data = base / "data"
    data.mkdir()
    config = data / "config.toml"
    config.write_text('[index]\ndir = "index"\n', encoding="utf-8")
    code, output = index(corpus.root, config)
    run = HostileRun(corpus, code, output, {})
    w = HostileWorld({}, {}, [], run=run)
    if not (data / "index").is_dir():
        return w  # nothing was indexed: every test below says why
    app = create_app(make_settings(data / "index", corpus.root))
    w.apps["公开"] = app
    accounts = app.extensions["dangan.accounts"]
    for reader in HOSTILE_READERS:
        name, role, level, _anonymous = READERS[reader]
        if name:
            accounts.add(name, PASSWORD, role, level)
    accounts.add(TOP, PASSWORD, ADMIN, "绝密")
    w.everything = w.client(TOP).get("/api/search", query_string={"size": 1000}).get_json()["hits"]
    run.records = {h["path"]: h for h in w.everything}
    w.ids = {path: h["id"] for path, h in run.records.items()}
    # a record's 密级 as the corpus gives it, or as indexed if higher (or unknown to the corpus)
    for path, hit in run.records.items():
        want = corpus.levels.get(path, hit["security"])
        w.expected[hit["id"]] = max(want, hit["security"], key=LEVELS.index)
    return w


def failures(run: HostileRun) -> dict[str, str]:
    """`failed: SOURCE/PATH: REASON` lines of the summary: path -> reason."""
    prefix = f"failed: {run.corpus.source}/"
    out = {}
    for rel in [*run.corpus.failed, *run.corpus.defused, *run.corpus.odd_names]:
        m = re.search(f"^{re.escape(prefix + rel)}: (.*)$", run.output, re.M)
        if m:
            out[rel] = m.group(1)
    return out


def must_have_indexed(w: HostileWorld) -> None:
    """The matrix means nothing over an empty index: the run must have ended and indexed the
    ordinary records."""
    assert SUMMARY.search(w.run.output), w.run.output[-3000:]
    missing = [rel for rel in w.run.corpus.levels if rel not in w.run.records]
    assert not missing, (missing, w.run.output[-3000:])


# --- the run -------------------------------------------------------------------------------

def test_the_run_ends_with_exit_1_and_its_summary(world):
    """Files failed, the run itself did not: exit 1 with the summary (a crash exits 3)."""
    output = world.run.output
    m = SUMMARY.search(output)
    assert m, output[-3000:]
    assert world.run.exit_code == 1
    assert int(m.group(1)) >= len(world.run.corpus.failed)


FAILED = {  # rel -> the items whose fix makes it fail with its reason (besides item 8)
    "炸弹/frames.tif": (7, 8), "炸弹/inflate.docx": (7, 8), "炸弹/empty.txt": (8, 11),
    "密级/topsecret.txt": (2, 8), "密级/english.txt": (2, 8), "旁注/sc-bad.txt": (2, 8),
    "坏目录/no-sidecar.txt": (3, 8), "乱码目录/no-sidecar.txt": (3, 8),
    "坏目录/with-sidecar.txt": (3, 8),
}


@pytest.mark.parametrize("rel", list(FAILED))
def test_each_bomb_and_unclear_level_fails_with_its_reason(world, rel):
    pattern = world.run.corpus.failed[rel]
    reason = failures(world.run).get(rel)
    assert reason is not None, f"{rel} not in the failed list:\n{world.run.output[-3000:]}"
    assert re.search(pattern, reason), (rel, reason)
    assert not reason.startswith("unexpected"), (rel, reason)  # a limit's message, not a crash
    assert rel not in world.run.records


def test_a_page_too_big_to_render_fails_or_is_rendered_within_the_cap(world):
    """The blank 4000 pt page is either refused with its reason or indexed (rendered at a
    resolution under the pixel cap, the worker alive); its page image answers, never a 5xx."""
    must_have_indexed(world)
    for rel, pattern in world.run.corpus.defused.items():
        reason = failures(world.run).get(rel)
        if reason is not None:
            assert re.search(pattern, reason) and not reason.startswith("unexpected"), reason
            continue
        hit = world.run.records[rel]
        r = world.client("anonymous").get(f"/api/records/{hit['id']}/pages/1.png")
        assert r.status_code in (200, 404), (rel, r.status_code)


def test_the_ordinary_files_are_indexed_and_found_by_their_phrase(world):
    must_have_indexed(world)
    c = world.client(TOP)
    for rel, phrase in world.run.corpus.indexed.items():
        hits = c.get("/api/search", query_string={"q": phrase}).get_json()["hits"]
        assert [h["path"] for h in hits] == [rel], (phrase, rel, hits)


LEVELLED = [
    "普通/utf8.txt", "普通/gbk.txt", "普通/big5.txt", "普通/report.pdf", "普通/scan.png",
    *[f"普通/level-{n}.txt" for n in range(5)],
    "密级/star.txt", "密级/trad.txt", "密级/spaced.txt", "密级/years.txt", "密级/fullwidth.txt",
    "密级/empty-value.txt", "密级/mark-star.txt", "密级/mark-colon.txt", "密级/mark-bracket.txt",
    "密级/mark-years.txt", "旁注/sc-trad.txt", "旁注/sc-star.txt", "旁注/sc-lower.txt",
    "长单元格/long.txt", "长单元格/other.txt", "坏目录/top-sidecar.txt", "乙/top.txt",
    "乙/abs.txt", "甲/deeper/own.txt", "机要/jm.txt",
]


def test_these_lists_are_the_corpus(world):
    assert set(FAILED) == set(world.run.corpus.failed)
    assert set(LEVELLED) == {rel for rel in world.run.corpus.levels
                             if not rel.startswith("文件名/")}  # (test_odd_file_names_…)


@pytest.mark.parametrize("rel", LEVELLED)
def test_each_record_has_the_highest_level_it_was_given(world, rel):
    """A 密级 spelt another way, in the text, in a sidecar or a catalog that another catalog
    contradicts: the record gets the highest level any of them gives."""
    hit = world.run.records.get(rel)
    assert hit is not None, f"{rel} was not indexed:\n{world.run.output[-2000:]}"
    assert hit["security"] == world.run.corpus.levels[rel], (rel, hit["security"])


# --- links, catalog mistakes, names -----------------------------------------------------------

def test_links_are_never_followed(world):
    """No record comes from a link, whatever its catalog row says, and nothing from outside
    the corpus reaches a record, a search or a download, even for a 绝密 administrator."""
    must_have_indexed(world)
    run = world.run
    linked = [p for p in run.records if any(p == link or p.startswith(link + "/")
                                            for link in run.corpus.links)]
    assert not linked
    c = world.client(TOP)
    for secret in run.corpus.secrets:
        assert c.get("/api/search", query_string={"q": secret}).get_json()["total"] == 0, secret
    for path, hit in run.records.items():
        for url in (f"/api/records/{hit['id']}", f"/records/{hit['id']}/download"):
            body = c.get(url).get_data()
            for secret in run.corpus.secrets:
                assert secret.encode() not in body, (path, url, secret)


def test_a_link_swapped_in_after_indexing_is_not_served(world):
    """An indexed file replaced by a link to a file outside the corpus: its download answers
    an error, never the link's target."""
    must_have_indexed(world)
    rel = "普通/level-0.txt"  # 公开: an anonymous reader may download it
    path = world.run.corpus.root / rel
    original = path.read_bytes()
    path.unlink()
    path.symlink_to(world.run.corpus.secret_dir / "passwd.txt")
    try:
        r = world.client("anonymous").get(f"/records/{world.run.records[rel]['id']}/download")
    finally:
        path.unlink()
        path.write_bytes(original)
    for secret in world.run.corpus.secrets:
        assert secret.encode() not in r.get_data()
    assert 400 <= r.status_code < 500, r.status_code


def test_catalog_mistakes_are_reported(world):
    """A row naming a missing file and a row reaching out of its folder are named in the
    run's output (once the run gets that far)."""
    must_have_indexed(world)
    for what, name in world.run.corpus.reported.items():
        assert name in world.run.output, (what, name, world.run.output[-3000:])


def test_odd_file_names_are_indexed_and_downloadable(world):
    """Newlines and quotes in a name: indexed, and the download answers with the file and a
    Content-Disposition that is one header line. A name that is not UTF-8 is indexed, or at
    worst failed on its own."""
    must_have_indexed(world)
    c = world.client("anonymous")
    for rel in [r for r in world.run.corpus.levels if r.startswith("文件名/")]:
        r = c.get(f"/records/{world.run.records[rel]['id']}/download")
        assert r.status_code == 200, (rel, r.status_code)
        assert r.get_data() == (world.run.corpus.root / rel).read_bytes()
        disposition = r.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "\n" not in disposition and "\r" not in disposition, disposition
    top = world.client(TOP)
    for name, phrase in world.run.corpus.odd_names.items():
        found = top.get("/api/search", query_string={"q": phrase}).get_json()["total"]
        failed = [line for line in world.run.output.splitlines() if line.startswith("failed: ")
                  and not any(rel in line for rel in world.run.corpus.failed)]
        assert found == 1 or len(failed) == 1, (name, found, failed)


# --- the leak matrix -------------------------------------------------------------------------

ARGUMENTS = {(): "query", ("record_id",): "record", ("page", "record_id"): "page",
             ("fmt", "page", "record_id"): "page"}  # fmt: .png or .jpg, fixed by the route


def get_routes(app) -> list[tuple[str, str]]:
    """(URL template, kind) of every GET route of the app but the static files; a route with
    arguments the matrix does not know fails the matrix (add them to ARGUMENTS)."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        args = tuple(sorted(rule.arguments))
        assert args in ARGUMENTS, f"{rule.rule}: arguments {args} unknown to the leak matrix"
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        out.append((template, ARGUMENTS[args]))
    return sorted(out)


def clean_get(w: HostileWorld, c, levels, url: str, **params):
    """GET url: never a 5xx, and nothing above `levels` in the answer (but what the request
    itself said, which pages echo)."""
    r = c.get(url, query_string=params or None)
    assert r.status_code < 500, (url, params, r.status_code)
    body = r.get_data()
    asked = url + " ".join(map(str, params.values()))
    for secret in w.hidden(levels):
        if secret not in asked:
            assert secret.encode() not in body, (url, params, secret)
    return r


def probe_query_route(w, c, levels, url):
    """Every phrase and outside secret as `q`, and a filter on every 密级: answers that count
    hits count none of the hidden ones."""
    level_of = w.run.corpus.level_of_phrase()
    clean_get(w, c, levels, url)
    clean_get(w, c, levels, url, size=1000)
    for phrase in [*level_of, *w.run.corpus.secrets]:
        r = clean_get(w, c, levels, url, q=phrase)
        if level_of.get(phrase) in levels:
            continue
        if r.is_json and isinstance(r.get_json(), dict) and "total" in r.get_json():
            assert r.get_json()["total"] == 0, (url, phrase)
        elif r.mimetype == "text/html" and "条记录" in r.get_data(as_text=True):
            assert "没有找到匹配的记录" in r.get_data(as_text=True), (url, phrase)
    for level in LEVELS:
        r = clean_get(w, c, levels, url, security=level, size=1000)
        if level not in levels and r.is_json and "total" in (r.get_json() or {}):
            assert r.get_json()["total"] == 0, (url, level)


def probe_record_route(w, c, levels, template):
    """A hidden record's id answers exactly as an unknown id; a visible record's answer
    (its page, its 相关记录, its file, its page image) holds nothing hidden."""
    url = template.replace("{page}", "1")
    for record_id, level in w.expected.items():
        if level in levels:
            clean_get(w, c, levels, url.format(record_id=record_id))
        else:
            not_found_alike(w, c, levels, url.replace("{record_id}", "{}"), record_id)
    clean_get(w, c, levels, url.format(record_id=MISSING))


PROBES = {"query": probe_query_route, "record": probe_record_route, "page": probe_record_route}


@pytest.mark.parametrize("reader", HOSTILE_READERS)
def test_no_reader_gets_anything_above_their_clearance_from_any_route(world, reader):
    must_have_indexed(world)
    levels = world.levels(reader)
    c = world.client(reader)
    leaks = []
    for template, kind in get_routes(world.apps["公开"]):
        try:
            PROBES[kind](world, c, levels, template)
        except AssertionError as e:  # every route's first leak, not only the first route's
            leaks.append(f"{template}: {str(e)[:300]}")
    assert not leaks, "\n".join(leaks)
