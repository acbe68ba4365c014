"""tools/radicals.py: reads Unicode's EquivalentUnifiedIdeograph.txt (ranges too) into the
table the normaliser loads."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_tool_writes_the_table_the_normaliser_reads(tmp_path):
    source = tmp_path / "EquivalentUnifiedIdeograph.txt"
    source.write_text("# comment\n2EA0       ; 6C11  #     CJK RADICAL CIVILIAN\n"
                      "2E8C..2E8D ; 5C0F  # [2] CJK RADICAL SMALL ONE..CJK RADICAL SMALL TWO\n",
                      encoding="utf-8")
    out = tmp_path / "radicals.tsv"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "radicals.py"), "--source",
                           str(source), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert rows == [["2E8C", "⺌", "小"], ["2E8D", "⺍", "小"], ["2EA0", "⺠", "民"]]
    shipped = (REPO / "indexer" / "analysis" / "radicals.tsv").read_text(encoding="utf-8")
    assert "2EA0\t⺠\t民" in shipped.splitlines()


def test_a_missing_source_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "tools" / "radicals.py"), "--source",
                           str(tmp_path / "missing.txt"), "--out", str(tmp_path / "x.tsv")],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "tools/system-deps.sh radicals" in done.stderr
