"""A cheap look at a page before any OCR: is it a ruled table or a photo (for auto's order)?

Tesseract reads neither well: it loses a ruled table's cells and a photo's unevenly lit lines
(auto then asks PP-OCR for the whole page anyway, after a Tesseract pass of 1-2 CPU s spent
for nothing). Both show on a copy of the page LOOK_WIDTH pixels wide, in a few hundredths of
a second: a table by long straight rules across and down the page, a photo by its paper
whose brightness varies from one part of the page to another (uneven light, a background
around the sheet), where a scanner's is even.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

LOOK_WIDTH = 640
# darker than this (0-255) on the reduced copy is ink
DARK = 160
# a rule runs straight over at least this share of the page's width (across) or height (down)
RULE_ACROSS, RULE_DOWN = 0.3, 0.2
# a ruled table has at least this many rules across and down
MIN_RULES_ACROSS, MIN_RULES_DOWN = 3, 3
# the paper's brightness per cell of a GRID x GRID division of the page (its 90th percentile):
# a photo's cells differ by more than PAPER_RANGE (a scan's paper, shaded or not, is even:
# 5-25 on the neutral set's scans and photocopies)
GRID, PAPER_RANGE = 6, 60

TABLE, PHOTO = "table", "photo"


def page_kind(image: Image.Image) -> str | None:
    """TABLE, PHOTO or None (anything else: running text, a crop of a line …)."""
    if min(image.size) < 200:  # a crop of a few lines: no layout to look at
        return None
    scale = min(1.0, LOOK_WIDTH / image.width)
    small = image.convert("L").resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BOX)
    grey = np.asarray(small)
    if ruled(grey < DARK):
        return TABLE
    if uneven_paper(grey):
        return PHOTO
    return None


def ruled(ink: np.ndarray) -> bool:
    """At least MIN_RULES_ACROSS straight runs of ink across the page and MIN_RULES_DOWN down it."""
    return (_rules(ink, RULE_ACROSS) >= MIN_RULES_ACROSS
            and _rules(ink.T, RULE_DOWN) >= MIN_RULES_DOWN)


def _rules(ink: np.ndarray, share: float) -> int:
    """How many separate rows (groups of neighbouring rows) of `ink` hold an unbroken run of
    ink at least `share` of its width long."""
    length = max(2, round(share * ink.shape[1]))
    if ink.shape[1] < length:
        return 0
    runs = np.zeros((ink.shape[0], ink.shape[1] + 1), dtype=np.int32)
    runs[:, 1:] = np.cumsum(ink, axis=1)
    full = ((runs[:, length:] - runs[:, :-length]) == length).any(axis=1)
    return int(np.count_nonzero(full[1:] & ~full[:-1]) + full[0])


def uneven_paper(grey: np.ndarray) -> bool:
    """The paper's brightness differs by more than PAPER_RANGE between parts of the page."""
    h, w = grey.shape
    if h < GRID * 4 or w < GRID * 4:
        return False
    cells = [np.percentile(grey[h * i // GRID:h * (i + 1) // GRID, w * j // GRID:w * (j + 1) // GRID], 90)
             for i in range(GRID) for j in range(GRID)]
    return max(cells) - min(cells) > PAPER_RANGE
