"""Born-digital test PDFs with a real CJK text layer (fpdf2 and the Noto CJK font)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def text_pdf(pages: list[list[str]], target: Path) -> None:
    """A born-digital PDF (real text layer) in Noto CJK, one list of lines per page."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from fpdf import FPDF

    from tools.scanlib import find_font, truetype_subset

    file, index = find_font("Noto Serif CJK SC:style=Regular")
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    with tempfile.TemporaryDirectory() as tmp:
        truetype_subset(file, index, "".join("".join(p) for p in pages), f"{tmp}/cjk.ttf")
        pdf.add_font("cjk", fname=f"{tmp}/cjk.ttf")
        for lines in pages:
            pdf.add_page()
            pdf.set_font("cjk", size=15)
            for n, line in enumerate(lines):
                pdf.text(25, 40 + n * 11, line)
        target.write_bytes(bytes(pdf.output()))
