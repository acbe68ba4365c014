"""How pages are degraded: scanner skew and blur, photocopier noise, phone photographs."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

BED = (236, 236, 232)


def _field(shape: tuple[int, int], rng: np.random.Generator, cells: int = 6) -> np.ndarray:
    """A smooth random field in 0..1 of the given (height, width)."""
    small = Image.fromarray((rng.uniform(0, 1, (cells, cells)) * 255).astype(np.uint8))
    return np.asarray(small.resize(shape[::-1], Image.Resampling.BICUBIC), np.float32) / 255


def skew(im: Image.Image, degrees: float) -> Image.Image:
    return im.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=BED)


def blur(im: Image.Image, radius: float) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(radius))


def noise(im: Image.Image, sigma: float, rng: np.random.Generator) -> Image.Image:
    arr = np.asarray(im, np.float32) + rng.normal(0, sigma, (im.height, im.width, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def photocopy(im: Image.Image, rng: np.random.Generator, strength: float = 1.0) -> Image.Image:
    """Grey, uneven toner: contrast varying over the page, speckle, vertical toner streaks,
    a darker band along one edge."""
    g = np.asarray(im.convert("L"), np.float32) / 255
    h, w = g.shape
    contrast = 0.75 + 0.25 * _field((h, w), rng)              # faded ink in patches
    g = 1 - (1 - g) * contrast
    g = g * (0.88 + 0.1 * _field((h, w), rng, 4))             # uneven paper grey
    dots = rng.random((h, w)) < 0.0009 * strength
    g[dots] = rng.uniform(0.0, 0.4, int(dots.sum()))
    dots = Image.fromarray((dots * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
    g = np.minimum(g, 1 - 0.5 * np.asarray(dots, np.float32) / 255 * (rng.random((h, w)) < 0.3))
    for _ in range(rng.integers(1, 4)):                        # toner streaks
        x, width = int(rng.integers(0, w)), int(rng.integers(1, max(2, w // 300)))
        g[:, x:x + width] *= rng.uniform(0.55, 0.85)
    edge = int(w * rng.uniform(0.01, 0.03))
    g[:, :edge] *= np.linspace(0.35, 1, edge)[None, :]
    return Image.fromarray(np.clip(g * 255, 0, 255).astype(np.uint8)).convert("RGB")


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]):
    """Coefficients for Image.transform(PERSPECTIVE) mapping output points dst to input src."""
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return np.linalg.solve(np.array(rows, float), np.array(src, float).reshape(8)).tolist()


def background(size: tuple[int, int], rng: np.random.Generator, pattern: bool) -> Image.Image:
    """A desk: wood-like grain, or a patterned tablecloth."""
    w, h = size
    base = np.array(rng.choice([(122, 92, 64), (92, 96, 104), (160, 150, 132)]), np.float32)
    grain = _field((h, w), rng, 16)[..., None] * 40 - 20
    arr = np.broadcast_to(base, (h, w, 3)) + grain
    if pattern:
        yy, xx = np.mgrid[0:h, 0:w]
        period = int(rng.integers(28, 60))
        checks = ((xx // period + yy // period) % 2).astype(np.float32)[..., None]
        arr = arr * (0.7 + 0.45 * checks)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def phone_photo(page: Image.Image, rng: np.random.Generator, rotation: float,
                pattern: bool = False, out_width: int = 1700) -> Image.Image:
    """The page photographed from above at an angle: on a desk, in perspective, turned a
    little, lit unevenly with a soft shadow across it."""
    pw, ph = page.size
    margin = 0.12
    w, h = round(pw * (1 + 2 * margin)), round(ph * (1 + 2 * margin))
    jitter = lambda: rng.uniform(-0.05, 0.05) * pw  # noqa: E731
    x0, y0 = margin * pw, margin * ph
    corners = [(x0 + jitter(), y0 + jitter()), (x0 + pw + jitter(), y0 + jitter()),
               (x0 + pw + jitter(), y0 + ph + jitter()), (x0 + jitter(), y0 + ph + jitter())]
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    mx, my = w / 2, h / 2
    corners = [(mx + (x - mx) * c - (y - my) * s, my + (x - mx) * s + (y - my) * c)
               for x, y in corners]
    coeffs = _perspective_coeffs(corners, [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    warped = page.transform((w, h), Image.Transform.PERSPECTIVE, coeffs,
                            Image.Resampling.BILINEAR, fillcolor=(0, 0, 0))
    inside = Image.new("L", page.size, 255).transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=0)
    photo = background((w, h), rng, pattern)
    photo.paste(warped, (0, 0), inside)
    arr = np.asarray(photo, np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = (xx / w) * math.cos(a) + (yy / h) * math.sin(a)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
    light = 0.72 + 0.3 * ramp
    shadow = Image.new("L", (w, h), 0)
    sx = rng.uniform(0.2, 0.8) * w
    ImageDraw.Draw(shadow).polygon([(sx, 0), (sx + rng.uniform(0.1, 0.4) * w, 0),
                                    (sx + rng.uniform(-0.2, 0.3) * w, h), (sx - 0.3 * w, h)],
                                   fill=255)
    shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(w / 25)), np.float32) / 255
    light = light * (1 - rng.uniform(0.18, 0.3) * shadow)
    arr = arr * light[..., None] * np.array([1.0, 0.98, 0.93], np.float32)  # warm cast
    arr += rng.normal(0, 3.0, (h, w, 1))
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    photo = photo.filter(ImageFilter.GaussianBlur(0.6))
    return photo.resize((out_width, round(h * out_width / w)), Image.Resampling.LANCZOS)
