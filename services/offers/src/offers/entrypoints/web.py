"""Public pages of the job site. For now: the landing page."""

from flask import Blueprint, render_template

blueprint = Blueprint("offers", __name__)


@blueprint.get("/")
def landing() -> str:
    return render_template("landing.html")
