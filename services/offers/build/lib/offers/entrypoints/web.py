"""Public pages of the job site. For now: the landing page, the (empty) list of offers, and the
employer's space, which leads to the Portail des entreprises until offers are built."""

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers import Response

from plumbing.web.pages import shareable

blueprint = Blueprint("offers", __name__)

#: How long a shared cache (the gateway's micro-cache caps it lower) may reuse a public page.
PUBLIC_PAGE_SECONDS = 5


@blueprint.get("/")
@shareable(PUBLIC_PAGE_SECONDS)
def landing() -> str:
    return render_template("landing.html")


@blueprint.get("/emplois/")
@blueprint.get("/emplois")
def job_list() -> str:
    return render_template("jobs.html")


@blueprint.get("/employeur/")
@blueprint.get("/employeur")
def employer_space() -> Response:
    """« Mon espace employeur »: the portal knows each employer's next step (wizard, request, home)."""
    return redirect("/entreprises/", 303)
