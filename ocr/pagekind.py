"""A cheap look at a page before any OCR: is it a ruled table, a photo, vertical text or a
page with rules down through its text?

Tesseract reads none of them well: it loses a ruled table's cells and a photo's unevenly lit
lines, and reads vertical columns across as rows (auto then asks PP-OCR for the whole page
anyway, after a Tesseract pass of 1-2 CPU s spent for nothing). They show on a copy of the
page LOOK_WIDTH pixels wide, in a few hundredths of a second: a table by long straight rules
across and down the page, a photo by its paper whose brightness varies from one part of the
page to another (uneven light, a background around the sheet), where a scanner's is even,
vertical text by the blank columns between its columns of characters, and a page crossed by
rules down it (a photocopy's toner streaks, a rule between columns) by such a rule where no
table's rules cross it.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from . import geometry

LOOK_WIDTH = 640
# skews below this (degrees) are left as they are; the skew is estimated on a copy reduced
# this many times more (320 px wide: a quarter of the cost, within 0.1-0.2° of the estimate
# at 640 px, enough to find rules a third of the page long)
MIN_SKEW, SKEW_REDUCE = 0.2, 2
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
# vertical text: at least MIN_BLANK_COLUMNS of the columns across the ink are blank, and
# COLUMNS_OVER_ROWS times the share of blank rows (the neutral set's vertical pages: 0.31-0.38
# and 1.9-2.5 times; horizontal pages at most 0.20, their characters standing in a grid too)
MIN_BLANK_COLUMNS, COLUMNS_OVER_ROWS = 0.28, 1.5

# a rule down the page (RULE_DOWN of its height) that is not a table's: a photocopy's toner
# streak or a rule between columns, which Tesseract reads across as junk or splits lines at
# (the neutral set's photocopied 公文 pages of four seeds: 1-3 such rules on each of the 16,
# straightened, whose reading auto mostly took from PP-OCR after an unsure Tesseract pass;
# none on any other page of running text)
MIN_RULES_DOWN_ALONE = 1

# what each kind is called in auto's note (the page looks like …)
TABLE, PHOTO, VERTICAL = "a ruled table", "a photo", "vertical text"
STREAKED = "a page with rules down through its text (photocopy streaks?)"


def page_kind(image: Image.Image) -> str | None:
    """TABLE, PHOTO, VERTICAL, STREAKED or None (anything else: rows of text, a crop of a
    line …)."""
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
    # rules are looked for again on the copy straightened: a table skewed by 1° has no
    # straight run of ink across a third of the page, nor a photocopy's streak down it
    skew = geometry.estimate_skew(small.reduce(SKEW_REDUCE) if small.width >= 400 else small)
    straight = (np.asarray(geometry.rotate(small, skew)) < DARK if abs(skew) >= MIN_SKEW
                else None)
    if straight is not None and ruled(straight):
        return TABLE
    if in_columns(grey < DARK):
        return VERTICAL
    if _rules((grey < DARK if straight is None else straight).T, RULE_DOWN) >= \
            MIN_RULES_DOWN_ALONE:
        return STREAKED
    return None


def ruled(ink: np.ndarray) -> bool:
    """At least MIN_RULES_ACROSS straight runs of ink across the page, MIN_RULES_DOWN down."""
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
    cells = [np.percentile(grey[h * i // GRID:h * (i + 1) // GRID,
                                w * j // GRID:w * (j + 1) // GRID], 90)
             for i in range(GRID) for j in range(GRID)]
    return max(cells) - min(cells) > PAPER_RANGE


def in_columns(ink: np.ndarray) -> bool:
    """Blank columns between the ink's columns, many more than blank rows: vertical text."""
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return False
    inked = ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    blank_rows = 1 - inked.any(axis=1).mean()
    blank_columns = 1 - inked.any(axis=0).mean()
    return blank_columns >= MIN_BLANK_COLUMNS and blank_columns >= COLUMNS_OVER_ROWS * blank_rows
