"""The job offer aggregate and its one state machine (services/offers/DESIGN.md, "Actions").

Every action is a method of `Offer`: it checks the status, then the actor's role
(`plumbing.auth.permissions`), then changes the offer and records an `OfferEvent` in its history.
A refused action raises `OfferActionRefused` (code, French and English message) and changes
nothing. Plain Python: the credit bank, the clock and the storage are the service layer's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Container, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from offers.domain import posting, reference
from plumbing.auth.permissions import Permission, allows
from plumbing.calendar import quebec_date

# Statuses ------------------------------------------------------------------------------------


class OfferStatus(StrEnum):
    DRAFT = "draft"
    IN_VALIDATION = "in_validation"
    TO_REVISE = "to_revise"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    EXPIRED = "expired"
    ARCHIVED = "archived"


#: code → (fr, en, colour token) as DESIGN.md names them.
STATUS_LABELS: dict[str, tuple[str, str, str]] = {
    OfferStatus.DRAFT: ("En brouillon", "Draft", "grey"),
    OfferStatus.IN_VALIDATION: ("En validation", "Under review", "blue"),
    OfferStatus.TO_REVISE: ("À réviser", "To revise", "orange"),
    OfferStatus.SCHEDULED: ("Bientôt publiée", "Coming soon", "purple"),
    OfferStatus.PUBLISHED: ("En cours", "Live", "green"),
    OfferStatus.EXPIRED: ("Expirée", "Expired", "dark-grey"),
    OfferStatus.ARCHIVED: ("Archivée", "Archived", "grey"),
}


def status_label(status: str, locale: str = "fr") -> str:
    fr, en, _ = STATUS_LABELS[status]
    return en if locale == "en" else fr


class ActorKind(StrEnum):
    EMPLOYER = "employer"
    STAFF = "staff"
    API_KEY = "api_key"
    SYSTEM = "system"


PROFILES = ("ing", "cpi")
WORK_FORMULAS = ("presentiel", "hybride", "teletravail")
WORKPLACE_KINDS = ("address", "places", "outside_quebec")
APPLY_METHODS = ("url", "email")
#: How long publication lasts, extension and featuring periods, the "expiring soon" alert.
PUBLICATION_DAYS = posting.PUBLICATION_DAYS
EXTENSION_DAYS = posting.EXTENSION_DAYS
FEATURE_DAYS = posting.FEATURED_DAYS
EXPIRING_SOON_DAYS = 10


# Errors --------------------------------------------------------------------------------------

#: code → HTTP status the entrypoints answer with.
REFUSAL_STATUS = {
    "wrong_status": 409,
    "role": 403,
    "no_credit": 409,
    "incomplete": 422,
    "invalid": 422,
    "stale": 409,
    "already_used": 409,
    "not_found": 404,
    "unavailable": 503,
}


class OfferActionRefused(Exception):
    """An action the offer refuses; nothing changed. `fields`: field → (fr, en) for a form."""

    def __init__(
        self, code: str, message_fr: str, message_en: str, *, fields: Mapping[str, tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.fields: dict[str, tuple[str, str]] = dict(fields or {})

    @property
    def status(self) -> int:
        return REFUSAL_STATUS.get(self.code, 409)

    def message(self, locale: str = "fr") -> str:
        return self.message_en if locale == "en" else self.message_fr

    def field_messages(self, locale: str = "fr") -> dict[str, str]:
        return {name: (en if locale == "en" else fr) for name, (fr, en) in self.fields.items()}


class OfferNotFound(Exception):
    """No such offer (or, for the caller, none they may see): 404."""


def wrong_status(action: str, status: str) -> OfferActionRefused:
    return OfferActionRefused(
        "wrong_status",
        f"Cette action ({ACTION_LABELS[action][0]}) n'est pas possible pour une offre « {status_label(status)} ».",
        f"This action ({ACTION_LABELS[action][1]}) is not possible for an offer that is "
        f"“{status_label(status, 'en')}”.",
    )


def role_refused(action: str) -> OfferActionRefused:
    return OfferActionRefused(
        "role",
        f"Votre rôle ne permet pas cette action ({ACTION_LABELS[action][0]}).",
        f"Your role does not allow this action ({ACTION_LABELS[action][1]}).",
    )


def stale() -> OfferActionRefused:
    return OfferActionRefused(
        "stale",
        "Cette offre vient d'être modifiée par quelqu'un d'autre ; rechargez la page et réessayez.",
        "Someone else just changed this offer; reload the page and try again.",
    )


def no_credit(credit_type: str) -> OfferActionRefused:
    names = {
        "ing": ("ingénieur·e", "engineer"),
        "cpi": ("CPI", "CPI"),
        "vedette": ("en vedette", "featured"),
        "extension": ("extension de 7 jours", "7-day extension"),
    }
    fr, en = names.get(credit_type, (credit_type, credit_type))
    return OfferActionRefused(
        "no_credit",
        f"Le groupe n'a plus de crédit « {fr} » : ajoutez-en un au panier, puis revenez à l'offre.",
        f"The group has no “{en}” credit left: add one to the cart, then come back to the offer.",
    )


# Actions: who may do what from which status --------------------------------------------------

#: action → (fr, en) names shown in messages and the history.
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "create": ("Création", "Creation"),
    "save": ("Enregistrer", "Save"),
    "submit": ("Envoyer en validation", "Send for review"),
    "modify": ("Modifier", "Modify"),
    "cancel": ("Annuler", "Cancel"),
    "approve": ("Approuver", "Approve"),
    "approve_with_changes": ("Approuver avec modifications", "Approve with changes"),
    "return_for_revision": ("Retourner pour révision", "Return for revision"),
    "withdraw": ("Retirer", "Withdraw"),
    "end_publication": ("Terminer la publication", "End publication"),
    "extend": ("Prolonger de 7 jours", "Extend by 7 days"),
    "feature": ("Mettre en vedette", "Feature"),
    "duplicate": ("Dupliquer", "Duplicate"),
    "archive": ("Archiver", "Archive"),
    "move_application_deadline": ("Déplacer la date limite", "Move the application deadline"),
    "publish_due": ("Publication à la date prévue", "Published on its date"),
    "expire_due": ("Fin de la période d'affichage", "End of the posting period"),
    "strip_contact_links": ("Liens de contact retirés", "Contact links removed"),
}

S = OfferStatus
ALL_BUT_ARCHIVED = frozenset(s for s in S if s != S.ARCHIVED)


@dataclass(frozen=True)
class Rule:
    """From which statuses, with which employer permission (None: no employer), staff or not."""

    from_statuses: frozenset[str]
    permission: Permission | None = None
    staff: bool = False
    system: bool = False


RULES: dict[str, Rule] = {
    "save": Rule(frozenset({S.DRAFT, S.TO_REVISE}), Permission.CREATE_PUBLISH_OFFERS),
    "submit": Rule(frozenset({S.DRAFT, S.TO_REVISE}), Permission.CREATE_PUBLISH_OFFERS),
    "modify": Rule(frozenset({S.PUBLISHED}), Permission.CREATE_PUBLISH_OFFERS),
    # cancel's permission depends on the status: CANCEL_PERMISSION below
    "cancel": Rule(frozenset({S.IN_VALIDATION, S.TO_REVISE}), Permission.CANCEL_OFFER_IN_VALIDATION, staff=True),
    "approve": Rule(frozenset({S.IN_VALIDATION}), staff=True),
    "approve_with_changes": Rule(frozenset({S.IN_VALIDATION}), staff=True),
    "return_for_revision": Rule(frozenset({S.IN_VALIDATION}), staff=True),
    "withdraw": Rule(frozenset({S.PUBLISHED, S.SCHEDULED}), staff=True),
    "end_publication": Rule(frozenset({S.PUBLISHED, S.SCHEDULED}), Permission.END_PUBLICATION),
    "extend": Rule(frozenset({S.PUBLISHED}), Permission.CREATE_PUBLISH_OFFERS),
    "feature": Rule(frozenset({S.PUBLISHED, S.SCHEDULED}), Permission.CREATE_PUBLISH_OFFERS),
    "duplicate": Rule(ALL_BUT_ARCHIVED, Permission.CREATE_PUBLISH_OFFERS),
    "archive": Rule(frozenset({S.EXPIRED}), Permission.CREATE_PUBLISH_OFFERS),
    "move_application_deadline": Rule(ALL_BUT_ARCHIVED, staff=True),
    "publish_due": Rule(frozenset({S.SCHEDULED}), system=True),
    "expire_due": Rule(frozenset({S.PUBLISHED, S.IN_VALIDATION, S.TO_REVISE}), system=True),
}
CANCEL_PERMISSION = {
    S.IN_VALIDATION: Permission.CANCEL_OFFER_IN_VALIDATION,
    S.TO_REVISE: Permission.CANCEL_OFFER_TO_REVISE,
}
#: The actions an employer sees as buttons (pages and the API list the allowed ones).
EMPLOYER_ACTIONS = (
    "save",
    "submit",
    "modify",
    "cancel",
    "end_publication",
    "extend",
    "feature",
    "duplicate",
    "archive",
)
STAFF_ACTIONS = (
    "approve",
    "approve_with_changes",
    "return_for_revision",
    "withdraw",
    "cancel",
    "move_application_deadline",
)


@dataclass(frozen=True)
class Actor:
    """Who acts on an offer: an employer (or an API key acting as its creator) with their role in
    the offer's group, OIQ staff, or the scheduler (system)."""

    account_id: str
    kind: str = ActorKind.EMPLOYER
    role: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", ActorKind.SYSTEM)

    @classmethod
    def staff(cls, account_id: str) -> Actor:
        return cls(account_id, ActorKind.STAFF)

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF


def may(action: str, status: str, actor: Actor) -> bool:
    """True when `actor` may do `action` on an offer in `status` (status and role only)."""
    rule = RULES[action]
    if status not in rule.from_statuses:
        return False
    return _role_allows(action, status, actor)


def _role_allows(action: str, status: str, actor: Actor) -> bool:
    rule = RULES[action]
    if actor.kind == ActorKind.SYSTEM:
        return rule.system
    if actor.kind == ActorKind.STAFF:
        return rule.staff
    permission = CANCEL_PERMISSION.get(status) if action == "cancel" else rule.permission  # type: ignore[call-overload]
    return permission is not None and allows(actor.role, permission)


def check(action: str, status: str, actor: Actor) -> None:
    """Raise OfferActionRefused unless the action is allowed: status first, then role."""
    if status not in RULES[action].from_statuses:
        raise wrong_status(action, status)
    if not _role_allows(action, status, actor):
        raise role_refused(action)


def check_create(actor: Actor) -> None:
    """Creating (or duplicating into) a draft: principal·e or affichage of the group."""
    if actor.kind not in (ActorKind.EMPLOYER, ActorKind.API_KEY) or not allows(
        actor.role, Permission.CREATE_PUBLISH_OFFERS
    ):
        raise role_refused("create")


# Values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workplace:
    """`address` (street, city code, postal code in Québec) | `places` (municipality or region
    codes) | `outside_quebec` (the place is stated in the description)."""

    kind: str = "address"
    street: str = ""
    city: str = ""
    postal_code: str = ""
    places: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "street": self.street,
            "city": self.city,
            "postal_code": self.postal_code,
            "places": list(self.places),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Workplace:
        raw = raw or {}
        return cls(
            kind=str(raw.get("kind") or "address"),
            street=str(raw.get("street") or ""),
            city=str(raw.get("city") or ""),
            postal_code=str(raw.get("postal_code") or ""),
            places=tuple(str(p) for p in raw.get("places") or ()),
        )


@dataclass(frozen=True)
class OfferContent:
    """What the employer writes (and the staff may edit). Every field may be empty in a draft;
    `missing()` says what sending needs."""

    title_fr: str = ""
    title_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    function_type: str = ""
    engineering_domains: tuple[str, ...] = ()
    employment_type: str = ""
    position_status: str = ""
    work_formula: str = ""
    application_deadline: date | None = None
    salary: str = ""
    reference_number: str = ""
    years_on_roll: str = ""
    workplace: Workplace = field(default_factory=Workplace)
    interests: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # Field by field, not `asdict` (its deep copy was most of a bulk write's time).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["engineering_domains"] = list(self.engineering_domains)
        data["interests"] = list(self.interests)
        data["application_deadline"] = self.application_deadline.isoformat() if self.application_deadline else None
        data["workplace"] = self.workplace.to_dict()
        return data

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> OfferContent:
        raw = raw or {}
        deadline = raw.get("application_deadline")
        if isinstance(deadline, str) and deadline:
            deadline = date.fromisoformat(deadline)
        text = {
            name: str(raw.get(name) or "")
            for name in (
                "title_fr",
                "title_en",
                "description_fr",
                "description_en",
                "function_type",
                "employment_type",
                "position_status",
                "work_formula",
                "salary",
                "reference_number",
                "years_on_roll",
            )
        }
        return cls(
            **text,
            application_deadline=deadline if isinstance(deadline, date) else None,
            engineering_domains=tuple(str(c) for c in raw.get("engineering_domains") or ()),
            interests=tuple(str(c) for c in raw.get("interests") or ()),
            workplace=raw["workplace"]
            if isinstance(raw.get("workplace"), Workplace)
            else Workplace.from_dict(raw.get("workplace")),
        )


@dataclass(frozen=True)
class OfferConfig:
    """`posting`: "immediate" or a date (Québec); `apply_method` "url" | "email", `apply_to` the
    URL or the address that receives the built-in form's applications."""

    featured: bool = False
    posting: str | date = "immediate"
    apply_method: str = "url"
    apply_to: str = ""

    @property
    def posting_date(self) -> date | None:
        return self.posting if isinstance(self.posting, date) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "featured": self.featured,
            "posting": self.posting.isoformat() if isinstance(self.posting, date) else "immediate",
            "apply_method": self.apply_method,
            "apply_to": self.apply_to,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> OfferConfig:
        raw = raw or {}
        posting = raw.get("posting") or "immediate"
        if isinstance(posting, str) and posting != "immediate":
            posting = date.fromisoformat(posting)
        return cls(
            featured=bool(raw.get("featured")),
            posting=posting,
            apply_method=str(raw.get("apply_method") or "url"),
            apply_to=str(raw.get("apply_to") or ""),
        )


@dataclass(frozen=True)
class OfferEvent:
    """One line of an offer's history: every transition and every edit that matters."""

    at: datetime
    actor_id: str
    actor_kind: str
    action: str
    from_status: str | None
    to_status: str
    reason: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def is_transition(self) -> bool:
        return self.from_status is not None and self.from_status != self.to_status


# Validation ----------------------------------------------------------------------------------

LIMITS = {"title_fr": 150, "title_en": 150, "reference_number": 50, "salary": 500}
#: A salary longer than this saves (a hint explains) but cannot be sent.
SALARY_MAX = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_QC_POSTAL = re.compile(r"^[GHJ]\d[A-Z] ?\d[A-Z]\d$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def is_web_address(value: str) -> bool:
    """An http(s) URL as an apply URL must be (the only kind the apply redirect goes to)."""
    return bool(_URL.match(value))

Problems = dict[str, tuple[str, str]]


def _text_of(html: str) -> str:
    return _TAG.sub(" ", html or "").replace("&nbsp;", " ").strip()


def format_problems(content: OfferContent, config: OfferConfig, profile: str) -> Problems:
    """What is wrong whatever the stage (a draft cannot be saved with these): lengths, choices."""
    found: Problems = {}
    for name, limit in LIMITS.items():
        if len(getattr(content, name)) > limit:
            found[name] = (f"{limit} caractères au plus.", f"At most {limit} characters.")
    if len(content.engineering_domains) > 5:
        found["engineering_domains"] = ("Cinq domaines de génie au plus.", "At most five engineering domains.")
    if content.work_formula and content.work_formula not in WORK_FORMULAS:
        found["work_formula"] = ("Formule inconnue.", "Unknown work formula.")
    found.update(_unknown_codes(content))
    if content.workplace.kind not in WORKPLACE_KINDS:
        found["workplace"] = ("Lieu de travail inconnu.", "Unknown kind of workplace.")
    if content.years_on_roll and profile != "ing":
        found["years_on_roll"] = (
            "Les années au Tableau ne s'appliquent qu'aux offres pour ingénieur·e.",
            "Years on the Roll only apply to offers for engineers.",
        )
    if config.apply_method not in APPLY_METHODS:
        found["apply_method"] = ("Façon de postuler inconnue.", "Unknown way to apply.")
    elif config.apply_to:
        if config.apply_method == "url" and not is_web_address(config.apply_to):
            found["apply_to"] = (
                "Entrez une adresse web qui commence par http:// ou https://.",
                "Enter a web address starting with http:// or https://.",
            )
        if config.apply_method == "email" and not _EMAIL.match(config.apply_to):
            found["apply_to"] = ("Entrez une adresse courriel valide.", "Enter a valid email address.")
    return found


UNKNOWN_CHOICE = ("Ce choix n'existe pas dans la liste.", "This choice is not in the list.")
#: Content field → reference kind (offers.domain.reference) of its code(s).
CODED_FIELDS = {
    "function_type": "function_types",
    "engineering_domains": "engineering_domains",
    "employment_type": "employment_types",
    "position_status": "position_statuses",
    "work_formula": "work_formulas",
    "interests": "interests",
    "years_on_roll": "years_on_roll",
}


def _unknown_codes(content: OfferContent) -> Problems:
    """Codes that are not in the reference data (an empty one is a missing field, not unknown)."""
    data = reference.load_reference()
    found: Problems = {}
    for name, kind in CODED_FIELDS.items():
        value = getattr(content, name)
        codes = value if isinstance(value, tuple) else ((value,) if value else ())
        if data.invalid(kind, codes):
            found[name] = UNKNOWN_CHOICE
    place = content.workplace
    if place.kind == "address" and place.city and not data.is_valid("municipalities", place.city):
        found["workplace"] = ("Choisissez la ville dans la liste.", "Choose the city from the list.")
    if place.kind == "places" and any(not data.is_place(code) for code in place.places):
        found["workplace"] = (
            "Choisissez des villes ou des régions de la liste.",
            "Choose cities or regions from the list.",
        )
    return found


REQUIRED = ("Ce champ est obligatoire pour envoyer l'offre.", "This field is required to send the offer.")


def missing(content: OfferContent, config: OfferConfig, today: date) -> Problems:
    """What sending needs and the offer lacks (today: the Québec date)."""
    found: Problems = {}
    for name in ("title_fr", "function_type", "employment_type", "position_status", "work_formula"):
        if not getattr(content, name).strip():
            found[name] = REQUIRED
    if not _text_of(content.description_fr):
        found["description_fr"] = REQUIRED
    if len(content.salary) > SALARY_MAX:
        found["salary"] = (f"{SALARY_MAX} caractères au plus.", f"At most {SALARY_MAX} characters.")
    if not content.engineering_domains:
        found["engineering_domains"] = (
            "Choisissez de un à cinq domaines de génie.",
            "Choose one to five engineering domains.",
        )
    if content.application_deadline is None:
        found["application_deadline"] = REQUIRED
    elif content.application_deadline < today:
        found["application_deadline"] = (
            "La date limite ne peut pas être passée.",
            "The application deadline cannot be in the past.",
        )
    place = content.workplace
    if place.kind == "address":
        if not (place.street.strip() and place.city.strip()):
            found["workplace"] = (
                "Entrez l'adresse complète du lieu de travail.",
                "Enter the workplace's full address.",
            )
        elif not _QC_POSTAL.match(place.postal_code.strip()):
            found["workplace"] = (
                "Entrez un code postal du Québec (ex. H2X 3J6).",
                "Enter a Québec postal code (e.g. H2X 3J6).",
            )
    elif place.kind == "places" and not place.places:
        found["workplace"] = ("Choisissez au moins une ville ou une région.", "Choose at least one city or region.")
    if not config.apply_to:
        found["apply_to"] = REQUIRED
    return found


# The aggregate -------------------------------------------------------------------------------


def quebec_day(instant: datetime) -> date:
    """The calendar date in Québec of an aware instant."""
    return quebec_date(instant)


@dataclass
class Offer:
    id: str
    group_id: str
    profile: str
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    content: OfferContent = field(default_factory=OfferContent)
    config: OfferConfig = field(default_factory=OfferConfig)
    #: Optimistic lock: the repository writes only over the version it read, then adds one.
    version: int = 1
    hints: list[dict[str, Any]] = field(default_factory=list)
    live_content: OfferContent | None = None
    published_at: datetime | None = None
    publication_ends_at: datetime | None = None
    featured_until: datetime | None = None
    ever_published: bool = False
    ended_at: datetime | None = None
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    credit_types_reserved: tuple[str, ...] = ()
    history: list[OfferEvent] = field(default_factory=list)
    #: How many history rows the storage already has (the rest are new in this unit of work).
    stored_history: int = 0

    # creation ----------------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        group_id: str,
        profile: str,
        actor: Actor,
        now: datetime,
        *,
        content: OfferContent | None = None,
        config: OfferConfig | None = None,
        offer_id: str | None = None,
    ) -> Offer:
        check_create(actor)
        if profile not in PROFILES:
            raise OfferActionRefused(
                "invalid",
                "Choisissez le profil : ingénieur·e ou CPI.",
                "Choose the profile: engineer or CPI.",
                fields={"profile": ("Profil inconnu.", "Unknown profile.")},
            )
        offer = cls(offer_id or str(uuid.uuid4()), group_id, profile, OfferStatus.DRAFT, actor.account_id, now, now)
        offer._set_content(content or OfferContent(), config or OfferConfig())
        offer._record(actor, now, "create", None, OfferStatus.DRAFT)
        return offer

    # queries -----------------------------------------------------------------------------------
    def is_online(self, now: datetime) -> bool:
        """What the public sees: approved content within its publication period, not ended."""
        return (
            self.live_content is not None
            and self.published_at is not None
            and self.publication_ends_at is not None
            and self.ended_at is None
            and self.status != OfferStatus.ARCHIVED
            and self.published_at <= now < self.publication_ends_at
        )

    def was_online(self, now: datetime) -> bool:
        """Public once, not any more (ended, expired, withdrawn or archived): its page says it expired.
        An offer ended while scheduled was never public."""
        return (
            self.live_content is not None
            and self.published_at is not None
            and self.published_at <= now
            and (self.ended_at is None or self.ended_at >= self.published_at)
            and not self.is_online(now)
        )

    def applications_closed(self, now: datetime) -> bool:
        """The application deadline (of the live content) is past, in Québec."""
        deadline = (self.live_content or self.content).application_deadline
        return deadline is not None and deadline < quebec_day(now)

    def allowed_actions(self, actor: Actor) -> list[str]:
        """The actions this actor may take now (status and role; credits are checked on acting)."""
        names = STAFF_ACTIONS if actor.is_staff else EMPLOYER_ACTIONS
        return [a for a in names if may(a, self.status, actor) and self._usable(a)]

    def _usable(self, action: str) -> bool:
        if action == "extend":
            return "extension" not in self.credit_types_reserved
        if action == "feature":
            return "vedette" not in self.credit_types_reserved
        return True

    def credits_needed(self) -> list[str]:
        """The credit types a submission holds: the profile's, and `vedette` when featured (an
        offer already published holds its credits: a modification needs none)."""
        if self.ever_published:
            return []
        return [self.profile] + (["vedette"] if self.config.featured else [])

    def days_left(self, now: datetime) -> float | None:
        if self.publication_ends_at is None:
            return None
        return (self.publication_ends_at - now).total_seconds() / 86400

    def feature_warning(self, now: datetime) -> bool:
        """True when featuring now gets less than its 7 days (the publication ends sooner)."""
        if self.publication_ends_at is None:
            return False
        return posting.fewer_than_featured_days_left(max(now, self.published_at or now), self.publication_ends_at)

    def new_events(self) -> list[OfferEvent]:
        return self.history[self.stored_history :]

    # employer actions --------------------------------------------------------------------------
    def save(self, actor: Actor, now: datetime, content: OfferContent, config: OfferConfig) -> None:
        check("save", self.status, actor)
        self._set_content(content, config)
        self.updated_at = now

    def check_submittable(self, actor: Actor, now: datetime, holidays: Container[date]) -> None:
        """Everything `submit` checks before the credits are reserved (status, role, content, date)."""
        check("submit", self.status, actor)
        self._require_complete(self.content, self.config, now)
        posting_day = self.config.posting_date
        if posting_day is not None and not self.ever_published:
            try:
                posting.validate_posting_date(posting_day, quebec_day(now), holidays)
            except posting.PostingDateRefused as refused:
                raise OfferActionRefused(
                    "incomplete",
                    refused.message_fr,
                    refused.message_en,
                    fields={"posting": (refused.message_fr, refused.message_en)},
                ) from None

    def submit(self, actor: Actor, now: datetime, holidays: Container[date], reserved: tuple[str, ...] = ()) -> None:
        """draft | to_revise → in_validation; `reserved`: the credit types the bank now holds for it."""
        self.check_submittable(actor, now, holidays)
        self.credit_types_reserved = tuple(dict.fromkeys([*self.credit_types_reserved, *reserved]))
        self.submitted_at, self.submitted_by = now, actor.account_id
        self._move(actor, now, "submit", OfferStatus.IN_VALIDATION)

    def modify(self, actor: Actor, now: datetime, content: OfferContent) -> None:
        """published → in_validation; the live content and dates stay: the offer stays online."""
        check("modify", self.status, actor)
        self._require_complete(content, self.config, now)
        self._set_content(content, self.config)
        self.submitted_at, self.submitted_by = now, actor.account_id
        self._move(actor, now, "modify", OfferStatus.IN_VALIDATION)

    def cancel(self, actor: Actor, now: datetime) -> None:
        """Never published: back to draft, its credits kept. Published before: back online with
        the last approved content (or expired when its period ended meanwhile)."""
        check("cancel", self.status, actor)
        if not self.ever_published:
            self._move(actor, now, "cancel", OfferStatus.DRAFT)
            return
        assert self.live_content is not None
        self.content = self.live_content
        ended = self.publication_ends_at is not None and self.publication_ends_at <= now
        self._move(actor, now, "cancel", OfferStatus.EXPIRED if ended else OfferStatus.PUBLISHED)

    def end_publication(self, actor: Actor, now: datetime) -> None:
        check("end_publication", self.status, actor)
        self.ended_at = now
        self._move(actor, now, "end_publication", OfferStatus.EXPIRED)

    def check_extend(self, actor: Actor) -> None:
        check("extend", self.status, actor)
        if "extension" in self.credit_types_reserved:
            raise OfferActionRefused(
                "already_used", "Cette offre a déjà été prolongée une fois.", "This offer was already extended once."
            )

    def extend(self, actor: Actor, now: datetime) -> None:
        """+7 days on a published offer (its `extension` credit reserved and consumed by the caller)."""
        self.check_extend(actor)
        assert self.publication_ends_at is not None
        self.publication_ends_at = posting.extended_end(self.publication_ends_at)
        self.credit_types_reserved = (*self.credit_types_reserved, "extension")
        self._record(
            actor,
            now,
            "extend",
            self.status,
            self.status,
            f"→ {quebec_day(self.publication_ends_at - timedelta(seconds=1)).isoformat()}",
        )

    def check_feature(self, actor: Actor) -> None:
        check("feature", self.status, actor)
        if "vedette" in self.credit_types_reserved:
            raise OfferActionRefused(
                "already_used", "Cette offre est déjà mise en vedette.", "This offer is already featured."
            )

    def feature(self, actor: Actor, now: datetime) -> None:
        """7 days from now (a scheduled offer: from its publication), ending at expiry at the latest."""
        self.check_feature(actor)
        assert self.published_at is not None and self.publication_ends_at is not None
        start = max(now, self.published_at)
        self.featured_until = posting.featured_period(start, self.publication_ends_at).ends_at
        self.credit_types_reserved = (*self.credit_types_reserved, "vedette")
        self._record(actor, now, "feature", self.status, self.status)

    def duplicate(self, actor: Actor, now: datetime, new_id: str | None = None) -> Offer:
        """A new draft with the same content and configuration: no status, credit or date copied."""
        check("duplicate", self.status, actor)
        config = replace(self.config, posting="immediate") if self.config.posting_date else self.config
        copy = Offer.create(
            self.group_id, self.profile, actor, now, content=self.content, config=config, offer_id=new_id
        )
        copy.history[-1] = replace(copy.history[-1], action="duplicate", reason=self.id)
        return copy

    def archive(self, actor: Actor, now: datetime) -> None:
        check("archive", self.status, actor)
        self._move(actor, now, "archive", OfferStatus.ARCHIVED)

    # staff actions -----------------------------------------------------------------------------
    def check_approve(self, actor: Actor, changes: OfferContent | None = None, now: datetime | None = None) -> None:
        """Status and role; the staff's changes must be valid and complete (what sending needs)."""
        check("approve_with_changes" if changes is not None else "approve", self.status, actor)
        if changes is not None:
            problems = format_problems(changes, self.config, self.profile)
            if problems:
                raise _invalid(problems)
            if now is not None:
                self._require_complete(changes, self.config, now)

    def approve(self, actor: Actor, now: datetime, changes: OfferContent | None = None) -> None:
        """in_validation → published (now, or back online for a modification) or scheduled (a
        posting date still to come). Contact links leave the description (a history note says so)."""
        action = "approve_with_changes" if changes is not None else "approve"
        self.check_approve(actor, changes, now)
        content = changes if changes is not None else self.content
        from offers.domain import hints

        stripped = replace(
            content,
            description_fr=hints.strip_contact_links(content.description_fr),
            description_en=hints.strip_contact_links(content.description_en),
        )
        self._set_content(stripped, self.config)
        self.live_content = self.content
        if self.ever_published:
            self._move(actor, now, action, OfferStatus.PUBLISHED)
        else:
            day = self.config.posting_date
            start = posting.posting_starts_at(day) if day is not None and day > quebec_day(now) else now
            self.published_at = start
            self.publication_ends_at = posting.publication_ends_at(start)
            if self.config.featured:
                self.featured_until = posting.featured_period(start, self.publication_ends_at).ends_at
            self.ever_published = True
            self._move(actor, now, action, OfferStatus.SCHEDULED if start > now else OfferStatus.PUBLISHED)
        if stripped != content:
            self._record(actor, now, "strip_contact_links", self.status, self.status)

    def return_for_revision(self, actor: Actor, now: datetime, comment: str) -> None:
        check("return_for_revision", self.status, actor)
        if not (comment or "").strip():
            raise OfferActionRefused(
                "incomplete",
                "Écrivez ce que l'employeur doit réviser.",
                "Write what the employer must revise.",
                fields={"comment": REQUIRED},
            )
        _check_length("comment", comment)
        self._move(actor, now, "return_for_revision", OfferStatus.TO_REVISE, comment.strip())

    def withdraw(self, actor: Actor, now: datetime, reason: str) -> None:
        """A non-compliant offer leaves the site, without refund."""
        check("withdraw", self.status, actor)
        if not (reason or "").strip():
            raise OfferActionRefused(
                "incomplete",
                "Donnez la raison du retrait.",
                "Give the reason for withdrawal.",
                fields={"reason": REQUIRED},
            )
        _check_length("reason", reason)
        self.ended_at = now
        self._move(actor, now, "withdraw", OfferStatus.EXPIRED, reason.strip())

    def move_application_deadline(self, actor: Actor, now: datetime, new_date: date) -> None:
        check("move_application_deadline", self.status, actor)
        if new_date < quebec_day(now):
            raise OfferActionRefused(
                "invalid",
                "La nouvelle date limite ne peut pas être passée.",
                "The new application deadline cannot be in the past.",
                fields={"date": ("Choisissez aujourd'hui ou plus tard.", "Choose today or later.")},
            )
        old = self.content.application_deadline
        self.content = replace(self.content, application_deadline=new_date)
        if self.live_content is not None:
            self.live_content = replace(self.live_content, application_deadline=new_date)
        self._record(
            actor,
            now,
            "move_application_deadline",
            self.status,
            self.status,
            f"{old.isoformat() if old else '—'} → {new_date.isoformat()}",
        )

    # scheduler ---------------------------------------------------------------------------------
    def publish_due(self, now: datetime) -> bool:
        """scheduled whose publication start has come → published. False when not due."""
        if self.status != OfferStatus.SCHEDULED or self.published_at is None or self.published_at > now:
            return False
        self._move(Actor.system(), now, "publish_due", OfferStatus.PUBLISHED)
        return True

    def expire_due(self, now: datetime) -> bool:
        """Published (or online while a modification waits) whose period ended → expired."""
        if (
            self.status not in RULES["expire_due"].from_statuses
            or not self.ever_published
            or self.publication_ends_at is None
            or self.publication_ends_at > now
        ):
            return False
        self._move(Actor.system(), now, "expire_due", OfferStatus.EXPIRED)
        return True

    # internals ---------------------------------------------------------------------------------
    def _set_content(self, content: OfferContent, config: OfferConfig) -> None:
        """Validate, sanitize the descriptions (plumbing.richtext), store, and compute the hints."""
        problems = format_problems(content, config, self.profile)
        if problems:
            raise _invalid(problems)
        from offers.domain import hints
        from plumbing.richtext import sanitize_html

        content = replace(
            content,
            description_fr=sanitize_html(content.description_fr),
            description_en=sanitize_html(content.description_en),
        )
        self.content, self.config = content, config
        self.hints = [_hint_dict(h) for h in hints.compute_hints(content)]

    def _require_complete(self, content: OfferContent, config: OfferConfig, now: datetime) -> None:
        problems = missing(content, config, quebec_day(now))
        if problems:
            raise OfferActionRefused(
                "incomplete",
                "Il manque des renseignements pour envoyer l'offre : voyez les champs indiqués.",
                "Some information is missing to send the offer: see the fields shown.",
                fields=problems,
            )

    def _move(self, actor: Actor, now: datetime, action: str, to: str, reason: str | None = None) -> None:
        self._record(actor, now, action, self.status, to, reason)
        self.status = to
        self.updated_at = now

    def _record(
        self, actor: Actor, now: datetime, action: str, from_status: str | None, to: str, reason: str | None = None
    ) -> None:
        self.history.append(OfferEvent(now, actor.account_id, str(actor.kind), action, from_status, to, reason))
        if from_status == to:
            self.updated_at = now


#: The longest staff comment or reason (the history keeps it; the event carries it).
REASON_MAX = 5000


def _check_length(field_name: str, text: str) -> None:
    if len(text.strip()) > REASON_MAX:
        raise OfferActionRefused(
            "invalid",
            f"Ce texte est trop long ({REASON_MAX} caractères au plus).",
            f"This text is too long (at most {REASON_MAX} characters).",
            fields={field_name: (f"{REASON_MAX} caractères au plus.", f"At most {REASON_MAX} characters.")},
        )


def _hint_dict(hint: Any) -> dict[str, Any]:
    """A hint as stored (JSON): its own `to_dict`, a dataclass's fields, or a mapping."""
    if hasattr(hint, "to_dict"):
        return dict(hint.to_dict())
    if is_dataclass(hint) and not isinstance(hint, type):
        return asdict(hint)
    return dict(hint)


def _invalid(problems: Problems) -> OfferActionRefused:
    return OfferActionRefused(
        "invalid",
        "Certains champs sont invalides : voyez les messages indiqués.",
        "Some fields are invalid: see the messages shown.",
        fields=problems,
    )
