"""The station console's payout pages, for the station's managers: the batches and what is
waiting to be paid, one batch with its lines, the bank's file of it, paying and cancelling.

They live in the ledger's package (the console's own package, `sellers.console`, sits below the
ledger and may not import it) and reuse the console's door (`station_staff_required`) and look.
Names and accounts are masked on the pages, which are opened in the station on shared phones;
the bank file carries them whole, as the bank needs them, and only a manager of the batch's
own station may download it."""

import csv
import io

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from impact.exports import safe_text
from impact.models import ZERO, PayoutStatus
from impact.payout_selectors import (
    payables_for_township,
    payout_batch_for_scope,
    payout_batches_for_scope,
    payout_lines,
    stations_managed,
)
from impact.payouts import BANK_REFERENCE_MAX, payout_batch_cancel, payout_batch_mark_paid, payout_batch_prepare
from sellers.console.access import station_staff_required
from sellers.masking import mask_digits, mask_name
from shop.core.errors import DomainError

BATCHES_SHOWN = 30  # the newest batches; older ones stay in the ledger and the admin
# The model's labels ("Paid") already mean "time paid" on the shipment pages: these say it plainly.
STATUS_LABELS = {
    PayoutStatus.PREPARED: pgettext_lazy("payout status", "Prepared, not paid yet"),
    PayoutStatus.PAID: pgettext_lazy("payout status", "Paid"),
}


class MarkPaidForm(forms.Form):
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank reference of the transfer"), max_length=BANK_REFERENCE_MAX,
        help_text=gettext_lazy("As the bank's receipt gives it: it is kept with the batch."),
        error_messages={"required": gettext_lazy("Enter the bank's reference for this transfer.")},
    )


def _station_chosen(request, stations):
    """The station a prepare form was sent for: the only one managed, or the one picked."""
    if len(stations) == 1:
        return stations[0]
    return next((s for s in stations if str(s.pk) == request.POST.get("station", "")), None)


@station_staff_required(manager=True)
@require_http_methods(["GET", "POST"])
def payout_list(request):
    stations = stations_managed(user=request.user)
    if request.method == "POST":
        station = _station_chosen(request, stations)
        if station is None:
            messages.error(request, _("Choose the station to prepare a batch for."))
        else:
            try:
                batch = payout_batch_prepare(station=station, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                n = batch.lines.count()
                messages.success(request, ngettext(
                    "Batch prepared: %(n)s household.", "Batch prepared: %(n)s households.", n) % {"n": n})
                if batch.skipped:
                    messages.warning(request, _no_account_message(len(batch.skipped)))
                return redirect("payouts:detail", pk=batch.pk)
            return redirect("payouts:list")
    waiting = []
    for station in stations:
        owed = payables_for_township(township_code=station.township_id)
        ready = [p for p in owed if p.has_account]
        waiting.append({
            "station": station, "ready": len(ready), "ready_total": sum((p.amount for p in ready), ZERO),
            "no_account": [{"household": p.household, "name": mask_name(p.household.head_name), "amount": p.amount}
                           for p in owed if not p.has_account],
        })
    batches = list(payout_batches_for_scope(scope=request.scope)[:BATCHES_SHOWN])
    for batch in batches:
        batch.status_label = STATUS_LABELS[batch.status]
    return render(request, "station/payouts/list.html", {
        "waiting": waiting, "batches": batches, "several_stations": len(stations) > 1,
        "show_station": len(stations) != 1,
    })


@station_staff_required(manager=True)
def payout_detail(request, pk):
    batch = payout_batch_for_scope(scope=request.scope, pk=pk)
    may_act = request.scope.manages(batch.station.township_id)
    rows = [
        {"line": line, "name": mask_name(line.household.head_name), "account": mask_digits(line.bank_account)}
        for line in payout_lines(batch=batch)
    ]
    return render(request, "station/payouts/detail.html", {
        "batch": batch, "rows": rows, "may_act": may_act, "prepared": batch.status == PayoutStatus.PREPARED,
        "status_label": STATUS_LABELS[batch.status],
        "form": MarkPaidForm(),
    })


@station_staff_required(manager=True)
@require_POST
def payout_mark_paid(request, pk):
    batch = payout_batch_for_scope(scope=request.scope, pk=pk, write=True)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("payouts:detail", pk=batch.pk)
    try:
        payout_batch_mark_paid(batch=batch, by=request.user, bank_reference=form.cleaned_data["bank_reference"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Batch marked paid: the households are told by text message."))
    return redirect("payouts:detail", pk=batch.pk)


@station_staff_required(manager=True)
@require_POST
def payout_cancel(request, pk):
    batch = payout_batch_for_scope(scope=request.scope, pk=pk, write=True)
    try:
        payout_batch_cancel(batch=batch, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payouts:detail", pk=batch.pk)
    messages.success(request, _("Batch cancelled: its money can go into the next batch."))
    return redirect("payouts:list")


@station_staff_required(manager=True)
def payout_bank_file(request, pk):
    """The batch for the bank's bulk transfer: payee name, account and amount in full, and a
    reference per line the bank statement will show. UTF-8 with a byte order mark, which Excel
    needs to read it as UTF-8."""
    batch = payout_batch_for_scope(scope=request.scope, pk=pk, write=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Payee name"), _("Account"), _("Amount"), _("Reference")])
    for line in payout_lines(batch=batch):
        writer.writerow([
            safe_text(line.household.head_name), line.bank_account, f"{line.amount:.2f}",
            f"WM{batch.pk}-{line.household.registry_id}",
        ])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.station.code}-{batch.pk}.csv"'
    response["Cache-Control"] = "no-store"  # full accounts: not for a shared phone's cache
    return response


def _no_account_message(n: int) -> str:
    return ngettext(
        "%(n)s household has money waiting but no bank account.",
        "%(n)s households have money waiting but no bank account.", n,
    ) % {"n": n}
