"""« Tableau de bord » (/employeur/) and « Mes offres d'emploi » (/employeur/offres) of the active
group. An employer without a group yet goes to the portal (its wizard), as before."""

from __future__ import annotations

from typing import Any

from flask import redirect, request

from offers.entrypoints import web_employer_common as common
from offers.entrypoints.web_employer_common import blueprint, employer_required
from offers.service_layer import views


@blueprint.get("/employeur/")
@blueprint.get("/employeur")
@employer_required
def dashboard() -> Any:
    """Counts by status and the alerts (returned for revision, ending within 10 days)."""
    group = common.active_group(request.args.get("groupe"))
    if group is None:
        return redirect("/entreprises/", 303)
    caller = common.caller()
    counts = common.bus().query(views.counts_by_status, caller, group["id"])
    alerts = common.bus().query(views.alerts, caller, group["id"], now=common.now())
    return common.render_page(
        "employer/dashboard.html",
        group=group,
        counts=counts,
        alerts=alerts,
        can_act=common.can_act(group),
        statuses=common.STATUS_ORDER,
    )


@blueprint.get("/employeur/offres")
@employer_required
def my_offers() -> Any:
    group = common.active_group(request.args.get("groupe"))
    if group is None:
        return redirect("/entreprises/", 303)
    wanted = request.args.get("statut") or None
    status = wanted if wanted in common.STATUS_ORDER else None
    caller = common.caller()
    items = common.bus().query(views.list_offers, caller, group["id"], status, now=common.now())
    counts = common.bus().query(views.counts_by_status, caller, group["id"])
    return common.render_page(
        "employer/offers.html",
        group=group,
        items=items,
        counts=counts,
        current_status=status,
        statuses=common.STATUS_ORDER,
        can_act=common.can_act(group),
        total=sum(n for s, n in counts.items() if s != "archived"),
    )
