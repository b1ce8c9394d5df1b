"""A station's printouts: parcel labels and packing slips of its own shipments, as PDF."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from logistics.documents import labels_pdf, packing_slips_pdf
from logistics.models import Shipment
from logistics.selectors import shipment_for_scope, shipments_in_scope, shipments_refusal, with_shipment_details
from sellers.console.access import station_staff_required
from shop.core.errors import NotFound
from shop.core.ids import storable_ids

MAX_LABELS = 200  # a day's parcels at a busy station; more is a mistake, not a print run


@station_staff_required
def shipment_label(request, pk: int):
    shipment = shipment_for_scope(scope=request.scope, pk=pk)
    return _pdf(labels_pdf(shipments=[shipment], trace_url=_trace_url(request)), f"label-{shipment.order.number}.pdf")


@station_staff_required
def shipment_slip(request, pk: int):
    shipment = shipment_for_scope(scope=request.scope, pk=pk)
    return _pdf(packing_slips_pdf(shipments=[shipment]), f"slip-{shipment.order.number}.pdf")


@station_staff_required
def labels_bulk(request):
    """`?ids=1&ids=2`: one PDF with the labels of these shipments, in this order."""
    try:
        ids = list(dict.fromkeys(int(value) for value in request.GET.getlist("ids")))
    except ValueError:
        return HttpResponseBadRequest(_("Shipment ids are numbers."))
    if not 0 < len(ids) <= MAX_LABELS:
        return HttpResponseBadRequest(_("Choose between 1 and %(max)d shipments.") % {"max": MAX_LABELS})
    if len(storable_ids(ids)) != len(ids):
        raise NotFound(_("No shipment has this id."))
    shipments = _shipments_for_scope(request.scope, ids)
    return _pdf(labels_pdf(shipments=shipments, trace_url=_trace_url(request)), "labels.pdf")


def _shipments_for_scope(scope, ids: list[int]) -> list[Shipment]:
    """All of them, or OutOfScope if one is another station's, NotFound if one does not exist."""
    found = with_shipment_details(shipments_in_scope(scope).filter(pk__in=ids)).select_related("order__shipping_address")
    by_id = {shipment.pk: shipment for shipment in found}
    missing = [pk for pk in ids if pk not in by_id]
    if missing:
        raise shipments_refusal(missing)
    return [by_id[pk] for pk in ids]


def _trace_url(request):
    def url(shipment: Shipment) -> str:
        # In the default language: the shortest address, and the page offers English itself.
        with translation.override(settings.LANGUAGE_CODE):
            return request.build_absolute_uri(reverse("trace", kwargs={"code": shipment.trace_code}))

    return url


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Shown in the browser, ready to print; saved under a name that says which order it is.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # a label carries the buyer's address
    return response
