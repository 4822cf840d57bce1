"""Logos: checked by their content (never by name or declared type), re-encoded and resized.

Accepted: PNG or JPEG, at most 2 MiB, between 100×100 and 5000×5000 pixels. The dimensions are
read from the header before any pixel is decoded, so a decompression bomb is refused without
being expanded; Pillow's own bomb guard stays on as a second fence. The stored image is a fresh
encoding (no metadata, no trailing bytes) fitting in 400×400.

Memory (issue 7: ten 5000 × 5000 uploads took a worker past 2 GB): one decode at a time per
process; JPEG decoded at reduced scale; PNG decoded once in its own mode and reduced in strips;
large blocks mapped on their own and the heap trimmed after each decode, so the worker returns to
its size. See docs/decisions.md.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import hashlib
import io
import threading
import warnings
from collections.abc import Iterator

from PIL import Image, UnidentifiedImageError

from company_portal.domain.errors import FieldError, InvalidInput, logo_too_large
from company_portal.service_layer.ports import ProcessedLogo

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 100
MAX_SIDE = 5000
#: The decoding budget: a PNG is decoded whole, so at most this many pixels (4 bytes each).
MAX_PIXELS = MAX_SIDE * MAX_SIDE
FIT = (400, 400)
#: Size of the strips a large image is reduced in (bytes of 4-byte pixels).
STRIP_BYTES = 2 * 1024 * 1024
#: Allocations at least this large are mapped on their own and given back to the system when freed.
MMAP_THRESHOLD = 1024 * 1024
_DECODE_LOCK = threading.Lock()
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def _refuse(code: str, fr: str, en: str) -> InvalidInput:
    return InvalidInput([FieldError("logo", code, fr, en)])


def _not_an_image() -> InvalidInput:
    return _refuse("invalid_logo_format", "Le logo doit être une image PNG ou JPEG.",
                   "The logo must be a PNG or JPEG image.")


def process_logo(content: bytes) -> ProcessedLogo:
    """Check and re-encode a logo; InvalidInput (field `logo`) when it is refused."""
    if not content:
        raise _refuse("required", "Choisissez un fichier PNG ou JPEG.", "Choose a PNG or JPEG file.")
    if len(content) > MAX_BYTES:
        raise logo_too_large()
    declared = next((fmt for magic, fmt in SIGNATURES.items() if content.startswith(magic)), None)
    if declared is None:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[declared]) as image:  # reads the header only
                _check_size(*image.size)
                with _decoding():
                    return _reencode(_decode_small(image), declared)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _not_an_image() from None


@contextlib.contextmanager
def _decoding() -> Iterator[None]:
    """One decode at a time in this process, and the memory handed back to the system after it."""
    with _DECODE_LOCK:
        _return_large_blocks_at_once()
        try:
            yield
        finally:
            gc.collect()
            release_free_memory()


def _decode_small(image: Image.Image) -> Image.Image:
    """The image decoded at the smallest cost that still gives a sharp 400 × 400 thumbnail.

    JPEG: decoded at 1/2, 1/4 or 1/8 scale by the decoder itself (draft). PNG cannot be decoded
    at reduced size, so it is decoded once in its own mode (at most MAX_PIXELS pixels, ≤ 100 MB)
    and reduced strip by strip: no second full-size copy (mode conversion, premultiplied alpha)
    is ever made.
    """
    target = (FIT[0] * 2, FIT[1] * 2)
    if image.format == "JPEG":
        image.draft(None, target)
    if image.width * image.height > MAX_PIXELS:
        raise _too_big()
    image.load()
    mode = _output_mode(image)
    factor = max(1, min(image.width // target[0], image.height // target[1]))
    if factor == 1:
        return image.convert(mode)
    width, height = image.size
    small = Image.new(mode, (-(-width // factor), -(-height // factor)))
    step = factor * max(1, STRIP_BYTES // (width * 4 * factor))
    for top in range(0, height, step):
        with image.crop((0, top, width, min(top + step, height))) as strip, strip.convert(mode) as converted:
            small.paste(converted.reduce(factor), (0, top // factor))
    return small


def _output_mode(image: Image.Image) -> str:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    return "RGBA" if has_alpha else "RGB"


def _too_big() -> InvalidInput:
    return _refuse("logo_too_big", "Le logo ne peut pas dépasser 5000 × 5000 pixels.",
                   "The logo cannot be larger than 5000 × 5000 pixels.")


def _check_size(width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise _too_big()
    if width < MIN_SIDE or height < MIN_SIDE:
        raise _refuse("logo_too_small", "Le logo doit mesurer au moins 100 × 100 pixels.",
                      "The logo must be at least 100 × 100 pixels.")


def _reencode(image: Image.Image, source_format: str) -> ProcessedLogo:
    image.thumbnail(FIT, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if source_format == "PNG":
        image.save(out, format="PNG", optimize=True)
        image_format = "png"
    else:
        image.save(out, format="JPEG", quality=88, optimize=True)
        image_format = "jpeg"
    data = out.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:20]
    return ProcessedLogo(data, image_format, digest, image.width, image.height)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None  # glibc only


_LIBC = _libc()
_threshold_set = False


def _return_large_blocks_at_once() -> None:
    """Pin glibc's mmap threshold (by default it grows to 32 MB after a large free, and the
    decoder's 16 MB blocks then stay in the worker's heap and per-thread arenas)."""
    global _threshold_set
    if _LIBC is not None and not _threshold_set:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _threshold_set = True


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc); nothing elsewhere."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
