"""The tesseract program: one function per operation, every call through one run()."""
from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from .errors import INSTALL_HINT, OcrError, OcrTimeout, OcrUnavailable, TesseractFailed, package_for

PROGRAM = "tesseract"
# what the child gets on top of our environment: one thread per page (parallelism comes
# from the worker processes; Tesseract's OpenMP threads only fight over the same cores)
CHILD_ENV = {"OMP_THREAD_LIMIT": "1"}
LANGUAGE = re.compile(r"^[a-z_]+$")
# the OSD lines we read, and the names we give them
OSD_KEYS = {
    "Page number": ("page_num", int),
    "Orientation in degrees": ("orientation", int),
    "Rotate": ("rotate", int),
    "Orientation confidence": ("orientation_conf", float),
    "Script": ("script", str),
    "Script confidence": ("script_conf", float),
}


def child_env() -> dict[str, str]:
    """The environment of a tesseract child: ours plus CHILD_ENV (ours is left unchanged)."""
    return {**os.environ, **CHILD_ENV}


def run(args: list[str], *, timeout: float = 0.0) -> subprocess.CompletedProcess:
    """Run tesseract with `args`; every call of the program goes through here.

    The child gets child_env(); past `timeout` seconds (0: no limit) it is killed and
    OcrTimeout raised. A missing program or language is OcrUnavailable (with the command
    that installs it); any other failure, a crash included, is TesseractFailed.
    """
    try:
        done = subprocess.run(
            [PROGRAM, *args], stdin=subprocess.DEVNULL, capture_output=True,
            env=child_env(), timeout=timeout or None, check=False,
        )
    except FileNotFoundError as e:
        raise OcrUnavailable(f"the tesseract program is not installed; {INSTALL_HINT}") from e
    except subprocess.TimeoutExpired as e:  # subprocess.run has killed and reaped the child
        raise OcrTimeout(f"tesseract took longer than {timeout:g} s on one page") from e
    except OSError as e:
        raise OcrError(f"could not run tesseract: {e}") from e
    if done.returncode != 0:
        raise _failure(done, args)
    return done


def _failure(done: subprocess.CompletedProcess, args: list[str]) -> OcrError:
    """Our error for a failed run: missing language data is a setup problem, not a page's."""
    message = " ".join(done.stderr.decode("utf-8", "replace").split())
    missing = re.findall(r"Failed loading language '([^']+)'", message)
    if missing or "couldn't load any languages" in message:
        names = missing or _arg_after(args, "-l").split("+")
        packages = " ".join(package_for(n) for n in names)
        return OcrUnavailable(
            f"Tesseract language data missing: {', '.join(names)}; "
            f"install it with: apt-get install {packages}"
        )
    status = done.returncode
    if status < 0:
        try:
            how = f"killed by signal {signal.Signals(-status).name}"
        except ValueError:
            how = f"killed by signal {-status}"
    else:
        how = f"status {status}"
    failed = TesseractFailed(f"tesseract failed ({how}): {message or 'no message'}")
    failed.status, failed.stderr = status, message
    return failed


def _arg_after(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1] if flag in args[:-1] else ""


def version() -> str:
    """The program's version, e.g. "5.3.0"."""
    done = run(["--version"])
    out = (done.stdout or done.stderr).decode("utf-8", "replace").split()
    # "tesseract 5.3.0 leptonica-1.82.0 …" (some builds: "tesseract v4.1.1-rc2-…")
    number = out[1] if len(out) > 1 and out[0] == "tesseract" else "unknown"
    return number.lstrip("v").partition("-")[0]


def languages() -> list[str]:
    """The installed language data, e.g. ["chi_sim", "chi_tra", "eng", "osd"]."""
    out = run(["--list-langs"]).stdout.decode("utf-8", "replace")
    return [line.strip() for line in out.splitlines() if LANGUAGE.match(line.strip())]


def image_to_data(image: Image.Image, *, lang: str, psm: int, timeout: float = 0.0) -> dict:
    """Tesseract's word table (TSV) of `image` as columns: {"level": [...], "text": [...]}."""
    tsv = _on_image(image, ["-l", lang, "-c", "tessedit_create_tsv=1", "--psm", str(int(psm))],
                    "tsv", timeout)
    return read_tsv(tsv)


def images_to_data(images: list[Image.Image], *, lang: str, psm: int,
                   timeout: float = 0.0) -> list[dict]:
    """image_to_data of each image, from one run of the program over all of them: its
    language models are loaded once (about 0.2 CPU s a run for chi_sim+chi_tra, as much as
    reading a red header's crop). The same word tables as one run per image."""
    with tempfile.TemporaryDirectory(prefix="dangan-tess-") as folder:
        paths = [Path(folder, f"page-{n}.png") for n in range(len(images))]
        for image, path in zip(images, paths):
            _flat(image).save(path, format="PNG")
        listing, base = Path(folder, "pages.txt"), Path(folder, "out")
        listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
        run([str(listing), str(base), "-l", lang, "-c", "tessedit_create_tsv=1",
             "--psm", str(int(psm))], timeout=timeout)
        columns = read_tsv(base.with_suffix(".tsv").read_text(encoding="utf-8"))
    return [_page(columns, n + 1) for n in range(len(images))]


def _page(columns: dict, number: int) -> dict:
    """The rows of one page (page_num, from 1) of a word table over several images, as the
    table of that image alone (its page_num 1)."""
    rows = [i for i, page in enumerate(columns.get("page_num", [])) if page == number]
    if not rows:
        return {}
    table = {name: [values[i] for i in rows] for name, values in columns.items()}
    table["page_num"] = [1] * len(rows)
    return table


def orientation(image: Image.Image, *, timeout: float = 0.0) -> dict:
    """Tesseract's orientation and script detection (OSD) of `image`: {"rotate": 90, ...}."""
    return read_osd(_on_image(image, ["-l", "osd", "--psm", "0"], "osd", timeout))


def _flat(image: Image.Image) -> Image.Image:
    """The image with its transparent parts as white paper (what Tesseract reads)."""
    if "A" not in image.getbands():
        return image
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, (0, 0), image.getchannel("A"))
    return flat


def _on_image(image: Image.Image, args: list[str], suffix: str, timeout: float) -> str:
    """Run tesseract on `image` (saved as a lossless PNG); the text of its `suffix` output."""
    with tempfile.TemporaryDirectory(prefix="dangan-tess-") as folder:
        source, base = Path(folder, "page.png"), Path(folder, "out")
        _flat(image).save(source, format="PNG")
        run([str(source), str(base), *args], timeout=timeout)
        return base.with_suffix("." + suffix).read_text(encoding="utf-8")


def read_tsv(tsv: str) -> dict:
    """Columns of Tesseract's TSV: numbers as ints (confidences cut to whole numbers, as
    they always were), the last column (text) as strings."""
    rows = list(csv.reader(tsv.strip().split("\n"), delimiter="\t", quoting=csv.QUOTE_NONE))
    if len(rows) < 2:
        return {}
    header, rows = rows[0], rows[1:]
    columns: dict[str, list] = {name: [] for name in header}
    last = len(header) - 1
    for row in rows:
        row = row + [""] * (len(header) - len(row))  # an empty last word loses its cell
        for i, name in enumerate(header):
            columns[name].append(row[i] if i == last else _number(row[i]))
    return columns


def _number(cell: str) -> int | str:
    try:
        return int(float(cell))
    except ValueError:
        return cell


def read_osd(text: str) -> dict:
    """The "Key: value" lines of Tesseract's OSD output that parse, under OSD_KEYS' names."""
    found = {}
    for line in text.split("\n"):
        key, sep, value = line.partition(": ")
        if sep and key in OSD_KEYS:
            name, kind = OSD_KEYS[key]
            if kind is int and not value.isdigit():
                continue
            try:
                found[name] = kind(value)
            except ValueError:
                continue
    return found
