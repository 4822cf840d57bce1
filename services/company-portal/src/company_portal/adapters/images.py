"""Logos: checked by their content (never by name or declared type), re-encoded and resized.

Accepted: PNG or JPEG, at most 2 MiB, between 100×100 and 5000×5000 pixels. The dimensions are
read from the header before any pixel is decoded, so a decompression bomb is refused without
being expanded; Pillow's own bomb guard stays on as a second fence. The stored image is a fresh
encoding (no metadata, no trailing bytes) fitting in 400×400.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, UnidentifiedImageError

from company_portal.domain.errors import FieldError, InvalidInput, logo_too_large
from company_portal.service_layer.ports import ProcessedLogo

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 100
MAX_SIDE = 5000
FIT = (400, 400)
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
            with Image.open(io.BytesIO(content), formats=[declared]) as image:
                width, height = image.size
                _check_size(width, height)
                image.load()
                return _reencode(image, declared)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _not_an_image() from None


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
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
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
