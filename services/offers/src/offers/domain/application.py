"""Applying by email to an online offer (docs/jobsite-design.md, "Applying by email").

What a candidate sends through the job site's form, and the rules it must pass: who may receive
applications (an online offer that takes them by email, its deadline not passed), the fields, and
the CV checked by its content (a PDF's `%PDF-` header, or a ZIP holding a Word document) with an
extension that agrees. Plain Python: the form, the limits per IP and per address and the outbox are
the entrypoints' and the service layer's.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from offers.domain.offer import Offer, OfferActionRefused, OfferNotFound, quebec_day
from plumbing.richtext import one_line

#: The CV's largest size: 5 MiB.
CV_MAX_BYTES = 5 * 1024 * 1024
NAME_MAX = 100
PHONE_MAX = 30
MESSAGE_MAX = 5000
EMAIL_MAX = 254
FILENAME_MAX = 200
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Extension → the content type its content must have.
CV_TYPES = {".pdf": PDF, ".docx": DOCX}

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_PHONE = re.compile(r"^[0-9+().\- ]*(?:(?:poste|ext\.?|x) ?[0-9]+)?$", re.IGNORECASE)
Messages = tuple[str, str]

REQUIRED: Messages = ("Ce champ est obligatoire.", "This field is required.")


class ApplicationsClosed(Exception):
    """The offer is online but its application deadline passed: a page says so."""

    def __init__(self, offer: Offer) -> None:
        super().__init__(offer.id)
        self.offer = offer


def sniff_cv(data: bytes) -> str | None:
    """The CV's type by its content: PDF (`%PDF-` header), DOCX (a ZIP with `[Content_Types].xml`
    and `word/document.xml`), else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    return DOCX if {"[Content_Types].xml", "word/document.xml"} <= names else None


def clean_filename(filename: str) -> str:
    """The file's own name (no folders, no control characters), at most 200 characters with its
    extension kept: it names the attachment in the employer's email."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".") or "cv"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return name[:FILENAME_MAX]
    return stem[: FILENAME_MAX - len(extension) - 1] + "." + extension


def plain_text(text: str) -> str:
    """The message as typed: line breaks kept (\\n), other control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


@dataclass(frozen=True)
class CV:
    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Application:
    """A checked application: every field within its limits, the CV a real PDF or DOCX."""

    name: str
    email: str
    phone: str
    message: str
    cv: CV

    @classmethod
    def check(
        cls, *, name: str, email: str, phone: str, message: str, consent: bool, cv_filename: str, cv_data: bytes
    ) -> Application:
        """The application, or `OfferActionRefused("invalid")` with a message per field (fr, en)."""
        name, email, phone, message = one_line(name), email.strip(), one_line(phone), plain_text(message)
        found: dict[str, Messages] = {}
        if not name:
            found["name"] = REQUIRED
        elif len(name) > NAME_MAX:
            found["name"] = (f"Au plus {NAME_MAX} caractères.", f"At most {NAME_MAX} characters.")
        if not email:
            found["email"] = REQUIRED
        elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
            found["email"] = (
                "Entrez une adresse courriel valide (exemple : nom@domaine.ca).",
                "Enter a valid email address (example: name@domain.ca).",
            )
        if len(phone) > PHONE_MAX:
            found["phone"] = (f"Au plus {PHONE_MAX} caractères.", f"At most {PHONE_MAX} characters.")
        elif not _PHONE.match(phone):
            found["phone"] = (
                "Entrez un numéro de téléphone (chiffres, espaces, +, -, parenthèses).",
                "Enter a phone number (digits, spaces, +, -, brackets).",
            )
        if not message:
            found["message"] = REQUIRED
        elif len(message) > MESSAGE_MAX:
            found["message"] = (
                f"Au plus {MESSAGE_MAX} caractères ({len(message)} actuellement).",
                f"At most {MESSAGE_MAX} characters ({len(message)} now).",
            )
        cv = _check_cv(cv_filename, cv_data, found)
        if not consent:
            found["consent"] = (
                "Acceptez que votre candidature et votre CV soient transmis à l'employeur.",
                "Agree to your application and CV being sent to the employer.",
            )
        if found or cv is None:
            raise OfferActionRefused(
                "invalid",
                "La candidature n'est pas envoyée : corrigez les champs indiqués.",
                "The application was not sent: correct the fields shown.",
                fields=found,
            )
        return cls(name, email, phone, message, cv)


def _check_cv(filename: str, data: bytes, found: dict[str, Messages]) -> CV | None:
    if not filename and not data:
        found["cv"] = ("Joignez votre CV (PDF ou Word .docx).", "Attach your CV (PDF or Word .docx).")
        return None
    if not data:
        found["cv"] = ("Le fichier est vide.", "The file is empty.")
        return None
    if len(data) > CV_MAX_BYTES:
        found["cv"] = (
            "Le CV dépasse 5 Mo : envoyez un fichier plus léger.",
            "The CV is over 5 MB: send a smaller file.",
        )
        return None
    name = clean_filename(filename)
    expected = CV_TYPES.get(PurePosixPath(name.lower()).suffix)
    actual = sniff_cv(data)
    if expected is None:
        found["cv"] = (
            "Le CV doit être un fichier PDF (.pdf) ou Word (.docx).",
            "The CV must be a PDF (.pdf) or Word (.docx) file.",
        )
    elif actual != expected:
        found["cv"] = (
            "Le contenu de ce fichier n'est pas celui d'un " + ("PDF" if expected == PDF else "document Word (.docx)")
            + " : envoyez votre CV en PDF ou en Word (.docx).",
            "This file's content is not a " + ("PDF" if expected == PDF else "Word document (.docx)")
            + ": send your CV as a PDF or Word (.docx) file.",
        )
    else:
        return CV(name, expected, data)
    return None


def check_takes_applications(offer: Offer, now: datetime) -> None:
    """An offer online now that takes applications by email today. Not online, or applied to at
    the employer's URL: `OfferNotFound` (there is no form); its deadline passed: `ApplicationsClosed`."""
    if not offer.is_online(now) or offer.config.apply_method != "email" or not offer.config.apply_to:
        raise OfferNotFound(offer.id)
    assert offer.live_content is not None  # is_online
    deadline = offer.live_content.application_deadline
    if deadline is not None and deadline < quebec_day(now):
        raise ApplicationsClosed(offer)
