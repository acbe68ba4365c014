"""Born-digital test PDFs with a real CJK text layer (fpdf2 and the Noto CJK font)."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def text_pdf(pages: list[list[str]], target: Path) -> None:
    """A born-digital PDF (real text layer) in Noto CJK, one list of lines per page."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tools.layerpdfs import text_pdf as drawn

    target.write_bytes(drawn(pages, "serif", 15, left=25, top=40, step=11))
