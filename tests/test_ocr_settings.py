"""Tests for ocr.settings: validation and the cache key."""
from __future__ import annotations

import pytest

from ocr.settings import OcrSettings


def test_settings_key_changes_with_output_relevant_settings_only():
    base = OcrSettings()
    assert base.key() == OcrSettings().key()
    assert OcrSettings(timeout=5).key() == base.key()
    assert OcrSettings(max_pixels=10).key() == base.key()
    for changed in (
        OcrSettings(languages="chi_sim"), OcrSettings(psm=3), OcrSettings(preprocess=False),
        OcrSettings(steps=("red",)), OcrSettings(red_header=False), OcrSettings(unify_script=False),
        OcrSettings(header_inline=True),
    ):
        assert changed.key() != base.key()
    with pytest.raises(ValueError, match="unknown pre-processing step"):
        OcrSettings(steps=("sharpen",))
    with pytest.raises(ValueError, match="language"):
        OcrSettings(languages="chi_sim++eng")


def test_languages_split_and_defaults():
    settings = OcrSettings()
    assert settings.language_list() == ["chi_sim", "chi_tra"]
    assert settings.timeout == 120.0 and settings.max_pixels == 60_000_000
    with pytest.raises(AttributeError):
        settings.psm = 3  # frozen
