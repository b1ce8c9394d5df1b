"""The station console: one short page per task, for a cheap phone on a weak link."""

from django.contrib import messages
from django.contrib.auth import logout as sign_out
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.selectors import public_products
from catalogue.services import POOLED
from logistics.models import Station
from logistics.selectors import shipment_stage_counts
from sellers import services
from sellers.console.access import station_staff_required
from sellers.console.forms import HouseholdForm, ListingEditForm, ListingForm
from sellers.console.shipments import stage_tabs
from sellers.data_checks import data_check_report
from sellers.masking import personal_fields
from sellers.models import Household, HouseholdChange
from sellers.models.audit import Channel
from sellers.registry_import import (
    ERRORS_SHOWN,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    file_refused,
    households_import,
    problems_csv,
)
from sellers.selectors import (
    household_for_scope,
    households_visible,
    households_writable,
    listing_for_scope,
    listings_writable,
    may_set_price,
)
from shop.core.errors import OutOfScope
from shop.models import Division, DivisionLevel

CHANGES_SHOWN = 50  # the newest changes on a household's page (the API has them all)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's errors beside the fields they name (others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class LoginView(auth_views.LoginView):
    template_name = "station/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("station:home")


@station_staff_required
def home(request):
    scope = request.scope
    stations = Station.objects.filter(memberships__user=request.user).select_related("township")
    shipment_counts = shipment_stage_counts(scope=scope, now=timezone.now())
    return render(request, "station/home.html", {
        "stations": stations,
        "households": households_visible(scope).count(),
        "listings": listings_writable(scope).count(),
        "is_manager": bool(scope.managed_townships) or scope.is_operator,
        "shipment_tabs": [tab for tab in stage_tabs(shipment_counts) if tab["count"]], "cold_overdue": shipment_counts["cold_overdue"],
    })


@station_staff_required
def household_list(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:40]  # PostgreSQL refuses NUL in text
    households = households_writable(request.scope).select_related("township").order_by("-created_at", "registry_id")
    if query:
        households = households.filter(Q(registry_id__icontains=query) | Q(head_name__icontains=query) | Q(village__icontains=query))
    page = Paginator(households, 30).get_page(request.GET.get("page"))
    return render(request, "station/household_list.html", {"page": page, "query": query})


def _household(request, registry_id) -> Household:
    return household_for_scope(scope=request.scope, registry_id=registry_id, write=True)


def add_refusal(form, error: OutOfScope) -> None:
    """A service's refusal of a field to this caller (e.g. the bank account to a clerk), beside it."""
    for field, messages_ in (error.fields or {None: [error.message]}).items():
        form.add_error(field if field in form.fields else None, messages_)


@station_staff_required
def household_create(request):
    scope = request.scope
    townships = scope.staff_townships if not scope.is_operator else _all_townships()
    # The bank account is on the form of those who manage a station it may be registered at; the
    # service checks the township actually chosen.
    form = HouseholdForm(request.POST or None, townships=townships,
                         may_set_bank_account=scope.is_operator or bool(scope.managed_townships))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_register(**data, recorded_by=request.user, scope=scope, channel=Channel.CONSOLE)
        except ValidationError as error:
            add_service_errors(form, error)
        except OutOfScope as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Household %(id)s registered.") % {"id": household.registry_id})
            return redirect("station:household", registry_id=household.registry_id)
    return render(request, "station/household_form.html", {"form": form})


def _all_townships():
    return Division.objects.filter(level=DivisionLevel.TOWNSHIP).values_list("code", flat=True)


@station_staff_required
def household_detail(request, registry_id):
    household = _household(request, registry_id)
    full = request.scope.sees_personal_data(household)
    listings = listings_writable(request.scope).filter(partner__seller__household=household).select_related("product")
    changes = None
    if request.scope.may_read_household_changes(household.township_id):
        changes = HouseholdChange.objects.filter(household=household).select_related("changed_by")[:CHANGES_SHOWN]
    return render(request, "station/household_detail.html", {
        "household": household, "personal": personal_fields(household, full=full), "listings": listings,
        "changes": changes,
    })


@station_staff_required
def household_edit(request, registry_id):
    household = _household(request, registry_id)
    full = request.scope.sees_personal_data(household)
    form = HouseholdForm(
        request.POST or None, instance=household, townships=[household.township_id], show_personal=full,
        may_set_bank_account=request.scope.may_set_bank_account(household.township_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                household=Household.objects.get(pk=household.pk), recorded_by=request.user, scope=request.scope,
                channel=Channel.CONSOLE, **form.changes(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except OutOfScope as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("station:household", registry_id=household.registry_id)
    return render(request, "station/household_form.html", {"form": form, "household": household})


@station_staff_required
def listing_create(request, registry_id):
    household = _household(request, registry_id)
    form = ListingForm(request.POST or None, request.FILES or None, products=public_products().filter(product_class__slug=POOLED))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.listing_create(
                household=household, product=data["product"], title=data["title"], category=data["category"],
                unit=data["unit"], description=data["description"], price=data["price"], stock=data["stock"],
                photos=[data["photo"]] if data["photo"] else [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Listed: %(title)s. It is on the shop now.") % {"title": record.product.get_title()})
            if data["product"] and data["photo"]:
                messages.info(request, _("Your photo is kept with this household's listing; it shows on the shared "
                                         "product page once the platform has reviewed it."))
            return redirect("station:household", registry_id=household.registry_id)
    return render(request, "station/listing_form.html", {"form": form, "household": household})


@station_staff_required
def listing_list(request):
    records = listings_writable(request.scope).select_related("product", "partner__seller__household").order_by("product__title", "id")
    page = Paginator(records, 30).get_page(request.GET.get("page"))
    return render(request, "station/listing_list.html", {"page": page})


@station_staff_required
def listing_edit(request, pk):
    record = listing_for_scope(scope=request.scope, pk=pk, write=True)
    form = ListingEditForm(
        request.POST or None, initial={"price": record.product.price, "stock": record.num_in_stock},
        may_set_price=may_set_price(scope=request.scope, product=record.product),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(record=record, price=form.cleaned_data.get("price"), stock=form.cleaned_data["stock"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Price and stock saved."))
            return redirect("station:listings")
    return render(request, "station/listing_edit.html", {"form": form, "record": record})


@require_POST
def logout(request):
    sign_out(request)
    return redirect("station:login")


@station_staff_required
def data_checks(request):
    findings = data_check_report(households=households_writable(request.scope))
    return render(request, "station/data_checks.html", {"findings": findings})


@station_staff_required(manager=True)
def registry_import(request):
    """Managers upload the registry file of their township; nothing is saved unless every row is good.
    A file over the size limit is refused before it is read. The page shows the first problems
    only (it is for a phone); `report=csv` has them all as a CSV file, and only checks the file."""
    result, max_mb = None, MAX_UPLOAD_BYTES // (1024 * 1024)
    if request.method == "POST" and request.FILES.get("file"):
        upload, report = request.FILES["file"], request.POST.get("report") == "csv"
        dry_run = bool(request.POST.get("dry_run")) or report
        if upload.size > MAX_UPLOAD_BYTES:
            result = file_refused(_(
                "The file is larger than %(mb)s MB, and a township's registry is much smaller: check that it is "
                "the registry file, or split it into smaller files."
            ) % {"mb": max_mb})
        else:
            townships = None if request.scope.is_operator else set(request.scope.managed_townships)
            result = households_import(
                file=upload.read(), dry_run=dry_run, townships=townships, recorded_by=request.user, max_rows=MAX_ROWS,
            )
        if report and result.errors:
            response = HttpResponse(problems_csv(result.errors), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="registry-problems.csv"'
            return response
        if not result.errors and not dry_run:
            messages.success(request, _("%(n)s households imported.") % {"n": result.imported})
            return redirect("station:households")
    errors = result.errors if result else []
    return render(request, "station/import.html", {
        "result": result, "shown": errors[:ERRORS_SHOWN], "more": max(len(errors) - ERRORS_SHOWN, 0),
        "max_mb": max_mb, "max_rows": f"{MAX_ROWS:,}",
    })
