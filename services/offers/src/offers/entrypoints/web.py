"""Public pages of the job site. For now: the landing page."""

from flask import Blueprint, render_template

from plumbing.web.pages import shareable

blueprint = Blueprint("offers", __name__)

#: How long a shared cache (the gateway's micro-cache caps it lower) may reuse a public page.
PUBLIC_PAGE_SECONDS = 5


@blueprint.get("/")
@shareable(PUBLIC_PAGE_SECONDS)
def landing() -> str:
    return render_template("landing.html")
