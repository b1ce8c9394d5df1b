"""The station's shipping work: the queue by stage, what to collect from the farms today, one
shipment's page with the form of its next step, and the intake receipt for the farmer.

Every change goes through `logistics.movement.shipments_move`: a POST is parsed, moved, and
answered with a redirect and a message; a refusal re-renders the page with the reason, and
nothing has changed (the move is all or nothing)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from logistics.carriers import carrier_get
from logistics.models import ShipmentStatus
from logistics.movement import shipments_move
from logistics.selectors import (
    QUEUE_STAGES,
    RECENTLY_DELIVERED_DAYS,
    collection_for_today,
    shipment_stage_counts,
    shipment_with_history,
    shipments_at_stage,
    shipments_for_scope,
    stage_of,
)
from logistics.states import MOVES, State
from sellers.console.access import station_staff_required
from sellers.console.shipment_forms import BULK_STEPS, STEP_FORMS, BulkForm, line_title
from sellers.masking import mask_digits
from shop.core.errors import DomainError, NotFound

PER_PAGE = 50
SOURCE = "console"

STAGE_LABELS = {
    "collect": gettext_lazy("To collect"),
    "received": gettext_lazy("Received"),
    "qc_passed": gettext_lazy("To pack"),
    "packed": gettext_lazy("Packed"),
    "with_carrier": gettext_lazy("With the courier"),
    "exceptions": gettext_lazy("Exceptions & returns"),
    "delivered": gettext_lazy("Delivered"),
    "back_to_farmer": gettext_lazy("Back to the farmer"),
}
# What the queue offers for the selected shipments of each tab; "labels" is the PDF of their labels.
STAGE_ACTIONS = {
    "received": [State.QC_PASSED],
    "qc_passed": [State.PACKED],
    "packed": ["labels"],
    "with_carrier": [State.IN_TRANSIT, State.DELIVERED],
}


def stage_tabs(counts: dict[str, int]) -> list[dict]:
    return [{"key": key, "label": STAGE_LABELS[key], "count": counts[key]} for key in QUEUE_STAGES]


@station_staff_required
@require_http_methods(["GET", "POST"])
def shipment_queue(request):
    stage = request.GET.get("stage", "collect")
    if stage not in QUEUE_STAGES:
        stage = "collect"
    now = timezone.now()
    form, problems = None, {}
    if request.method == "POST":
        form = BulkForm(request.POST)
        if form.is_valid():
            ids = shipments_for_scope(scope=request.scope, pks=form.cleaned_data["ids"])
            try:
                moved = shipments_move(shipment_ids=ids, move=form.to_move(), by=request.user, source=SOURCE)
            except DomainError as error:
                messages.error(request, error.message)
                problems = error.fields
            else:
                messages.success(request, ngettext(
                    "%(n)s shipment: %(status)s.", "%(n)s shipments: %(status)s.", len(moved)
                ) % {"n": len(moved), "status": ShipmentStatus(form.cleaned_data["action"]).label})
                return redirect(f"{reverse('station:shipments')}?stage={stage}")
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
    counts = shipment_stage_counts(scope=request.scope, now=now)
    shipments = shipments_at_stage(scope=request.scope, stage=stage, now=now)
    paginator = Paginator(shipments, PER_PAGE)
    paginator.count = counts[stage]  # counted with the tabs already: one query fewer
    page = paginator.get_page(request.GET.get("page"))
    selected = set(request.POST.getlist("ids")) if form is not None else set()  # kept checked after a refusal
    return render(request, "station/shipments/queue.html", {
        "stage": stage, "stage_label": STAGE_LABELS[stage], "tabs": stage_tabs(counts), "counts": counts,
        "page": page, "selected": selected, "problems": problems,
        "actions": [(step, BULK_STEPS.get(step)) for step in STAGE_ACTIONS.get(stage, [])],
        "recent_days": RECENTLY_DELIVERED_DAYS,
    })


@station_staff_required
def collection(request):
    """Where to go today and whom to call: the goods of awaiting-intake shipments by village and
    household. The phone is shown whole to the staff of the household's own station, here only:
    the clerk calls the farmer before going."""
    found = collection_for_today(scope=request.scope)
    for village in found.villages:
        for household in village.households:
            household.callable = household.township_id in request.scope.staff_townships
            if not household.callable:
                household.phone = mask_digits(household.phone)
    return render(request, "station/shipments/collect.html", {"collection": found})


@station_staff_required
@require_http_methods(["GET", "POST"])
def shipment_detail(request, pk):
    shipment = shipment_with_history(scope=request.scope, pk=pk, now=timezone.now())
    steps = [STEP_FORMS[to] for to in STEP_FORMS if to in MOVES[State(shipment.status)]]
    sent = None
    if request.method == "POST":
        step = STEP_FORMS.get(request.POST.get("to", ""))
        if step not in steps:
            messages.error(request, _("A shipment that is “%(now)s” cannot take this step.") % {
                "now": shipment.status_label})
        else:
            sent = step(request.POST, shipment=shipment)
            if sent.is_valid():
                try:
                    shipments_move(shipment_ids=[shipment.pk], move=sent.to_move(), by=request.user, source=SOURCE)
                except DomainError as error:
                    sent.add_error(None, error.message)
                    messages.error(request, error.message)
                else:
                    messages.success(request, _("Order %(number)s: %(status)s.") % {
                        "number": shipment.order.number, "status": ShipmentStatus(step.to).label})
                    return redirect("station:shipment", pk=shipment.pk)
    events = list(shipment.events.all())
    for event in events:
        found = carrier_get(event.carrier) if event.carrier else None
        event.carrier_name = found.name if found else event.carrier
    forms = [sent if sent is not None and type(sent) is step else step(shipment=shipment) for step in steps]
    return render(request, "station/shipments/detail.html", {
        "shipment": shipment, "forms": forms, "lines": _lines(shipment), "events": events,
        "stage": stage_of(shipment.status), "carrier": carrier_get(shipment.carrier) if shipment.carrier else None,
        "cold_overdue": shipment.cold_overdue, "cold_hours": settings.LOGISTICS_COLD_DISPATCH_HOURS,
    })


def _lines(shipment) -> list[dict]:
    rows = []
    for line in shipment.lines.all():
        order_line = line.order_line
        rows.append({
            "line": line, "title": line_title(line), "quantity": order_line.quantity,
            "unit": order_line.product.display_unit if order_line.product else "",
            "household": line.household, "seller_name": order_line.partner_name,
        })
    return rows


@station_staff_required
def intake_receipt(request, pk):
    """The paper the farmer takes home: what the station received from them, weighed and graded."""
    shipment = shipment_with_history(scope=request.scope, pk=pk, now=timezone.now())
    intake = next((event for event in shipment.events.all() if event.type == State.RECEIVED), None)
    if intake is None:
        raise NotFound(_("These goods have not been taken in yet."))
    return render(request, "station/shipments/receipt.html", {
        "shipment": shipment, "intake": intake, "lines": _lines(shipment),
        "clerk": (intake.by.get_full_name() or intake.by.username) if intake.by else "—",
    })
