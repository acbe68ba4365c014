"""A neutral OCR evaluation set, generated from a seed (`python -m bench.ocrset`).

Pages of several kinds (groups) — 公文 scans, phone photos, ruled tables, vertical text,
traditional script, small crops — drawn with fonts from Debian packages and degraded in
several ways, each file with `NAME.EXT.gt.txt` (ground truth) and `NAME.EXT.expected.json`
(文号, 责任者, date, title where the page carries them). The drawing path is separate from
tools/make_scans.py (the project's own sample scans) so the set is not tuned on that
generator; bench/ocr.py measures it.
"""
