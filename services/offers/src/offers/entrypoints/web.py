"""Public pages of the job site: the landing page and the list of offers. The employer's space
(/employeur/…) and the public offer page are web_employer's."""

from flask import Blueprint, render_template

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
