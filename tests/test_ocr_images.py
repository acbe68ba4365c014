"""Tests for ocr.images: formats, EXIF orientation, multi-page TIFF, bad and oversized files."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from ocr.errors import ImageError, OcrError
from ocr.images import load_pages, normalize_mode, page_count


def _page(width=240, height=120, mark=(0, 0, 40, 20)) -> Image.Image:
    """White page with one black rectangle, to follow it through transformations."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((0, 0, 0), mark)
    return image


def test_png_jpeg_tiff_load_as_rgb_or_grey_with_dpi(tmp_path):
    page = _page()
    page.save(tmp_path / "a.png", dpi=(200, 200))
    page.save(tmp_path / "a.jpg", quality=90, dpi=(300, 300))
    page.convert("L").save(tmp_path / "a.tif", dpi=(150, 150))
    for name, mode, dpi in (("a.png", "RGB", 200), ("a.jpg", "RGB", 300), ("a.tif", "L", 150)):
        [loaded] = load_pages(tmp_path / name)
        assert loaded.mode == mode
        assert loaded.size == (240, 120)
        assert round(float(loaded.info["dpi"][0])) == dpi


def test_exif_rotated_jpeg_comes_out_upright(tmp_path):
    # stored landscape; EXIF orientation 6 says "rotate 90° clockwise to display"
    stored = _page(240, 120, mark=(0, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "phone.jpg", quality=95, exif=exif)
    [page] = load_pages(tmp_path / "phone.jpg")
    assert page.size == (120, 240)
    pixels = np.asarray(page.convert("L"))
    assert pixels[:20, -20:].mean() < 60  # the mark is now at the top right
    assert pixels[:20, :20].mean() > 200


def test_multi_page_tiff_gives_every_page(tmp_path):
    frames = [_page(mark=(i * 60, 0, i * 60 + 40, 20)) for i in range(3)]
    frames[0].save(tmp_path / "three.tif", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    assert page_count(tmp_path / "three.tif") == 3
    pages = load_pages(tmp_path / "three.tif")
    assert len(pages) == 3
    for i, page in enumerate(pages):
        pixels = np.asarray(page.convert("L"))
        assert pixels[:20, i * 60:i * 60 + 40].mean() < 60


def test_modes_are_normalised():
    assert normalize_mode(Image.new("1", (4, 4))).mode == "L"
    assert normalize_mode(Image.new("P", (4, 4))).mode == "RGB"
    assert normalize_mode(Image.new("CMYK", (4, 4))).mode == "RGB"
    rgba = normalize_mode(Image.new("RGBA", (4, 4), (0, 0, 0, 0)))
    assert rgba.mode == "RGB" and rgba.getpixel((0, 0)) == (255, 255, 255)  # transparent -> paper
    wide = normalize_mode(Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16)))
    assert wide.mode == "L" and wide.getpixel((0, 0)) == 255


@pytest.mark.parametrize("fmt, suffix", [("PNG", "png"), ("JPEG", "jpg")])
def test_truncated_file_is_an_image_error(tmp_path, fmt, suffix):
    noise = np.random.default_rng(1).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, fmt)
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ImageError, match="truncated or corrupt") as caught:
        load_pages(path)
    assert isinstance(caught.value, OcrError) and caught.value.exit_code == 1


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 not an image", b"\x89PNG\r\n\x1a\n\x00garbage"])
def test_empty_or_foreign_file_is_an_image_error(tmp_path, content):
    path = tmp_path / "scan.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match="scan.png"):
        load_pages(path)


def test_image_above_max_pixels_is_refused_before_decoding(tmp_path):
    Image.new("L", (2000, 1500), 255).save(tmp_path / "big.png")
    with pytest.raises(ImageError, match="more than the limit"):
        load_pages(tmp_path / "big.png", max_pixels=1_000_000)
    assert len(load_pages(tmp_path / "big.png", max_pixels=3_000_000)) == 1


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height one-bit pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_decompression_bomb_is_an_image_error(tmp_path):
    # 20000 x 20000 pixels announced in a file of a hundred bytes: refused before decoding
    (tmp_path / "bomb.png").write_bytes(_png_header_only(20000, 20000))
    with pytest.raises(ImageError, match="too large|more than the limit"):
        load_pages(tmp_path / "bomb.png")
