"""What the handlers need from outside the domain, as plain callables and protocols."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from plumbing.clock import Clock


@dataclass(frozen=True)
class ProcessedLogo:
    """A logo checked by content and re-encoded (adapters.images)."""

    content: bytes
    image_format: str  # "png" or "jpeg"
    content_hash: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return f"image/{self.image_format}"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
    sanitize_html: Callable[[str], str]
    process_logo: Callable[[bytes], ProcessedLogo]
    public_url: str = ""
    new_id: Callable[[], str] = field(default=new_id)

    def logo_path(self, group_id: str, content_hash: str | None, image_format: str | None) -> str | None:
        """Where the logo is served (the hash in the path: a new logo is a new address, cached forever)."""
        if not content_hash:
            return None
        extension = "jpg" if image_format == "jpeg" else "png"
        return f"/entreprises/logos/{group_id}/{content_hash}.{extension}"

    def logo_url(self, group_id: str, content_hash: str | None, image_format: str | None) -> str | None:
        """The absolute address, for other services (offers show it on every offer of the group)."""
        path = self.logo_path(group_id, content_hash, image_format)
        return f"{self.public_url}{path}" if path else None
