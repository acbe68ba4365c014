"""Catalog CSV (Chinese or English headers, UTF-8/BOM/GB18030) and sidecar JSON."""
import json

import pytest

from indexer.dates import normalise as normalise_date
from indexer.errors import ExtractionError
from indexer.ingest.catalog import read_catalog, read_sidecar


@pytest.mark.parametrize("raw, expected", [
    ("2019", "2019"), ("2019-05", "2019-05"), ("2019-05-12", "2019-05-12"),
    ("20190512", "2019-05-12"), ("2019/5/2", "2019-05-02"), ("2019年5月", "2019-05"),
    ("2019-13-01", ""), ("someday", ""), ("2019-02-31", ""), ("二〇〇八年七月2日", "2008-07-02"),
])
def test_dates(raw, expected):
    assert normalise_date(raw) == expected


def test_english_headers_in_gb18030(tmp_path):
    (tmp_path / "catalog.csv").write_bytes(
        "path,title,org,date,security,hand_written_note\na.txt,通知,档案局,20190512,秘密,手写\n"
        .encode("gb18030"))
    rows = read_catalog(tmp_path / "catalog.csv")
    row = rows[(tmp_path / "a.txt").resolve()]
    assert row == {"title": "通知", "org": "档案局", "date": "2019-05-12", "security": "秘密",
                   "hand_written_note": "手写"}


def test_catalog_without_path_column_is_reported(tmp_path):
    (tmp_path / "catalog.csv").write_text("题名\n通知\n", encoding="utf-8")
    with pytest.raises(ExtractionError, match="文件/path"):
        read_catalog(tmp_path / "catalog.csv")


def test_sidecar_overrides(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    (tmp_path / "a.txt.json").write_text(json.dumps({"密级": "机密", "pages": 3}),
                                         encoding="utf-8")
    assert read_sidecar(f) == {"security": "机密", "pages": "3"}
    (tmp_path / "a.txt.json").write_text("{oops")
    with pytest.raises(ExtractionError, match="not valid JSON"):
        read_sidecar(f)


def test_traditional_and_everyday_headers_from_the_field_registry(tmp_path):
    (tmp_path / "catalog.csv").write_text(
        "檔號,題名,作者,人員,備註,密級,文件\nA-1,年終總結,半月鎮人民政府,王建成；卜劍平,手寫補記,機密,a.txt\n",
        encoding="utf-8")
    row = read_catalog(tmp_path / "catalog.csv")[tmp_path / "a.txt"]
    assert row == {"archival_code": "A-1", "title": "年終總結", "org": "半月鎮人民政府",
                   "persons": "王建成；卜劍平", "notes": "手寫補記", "security": "機密"}
