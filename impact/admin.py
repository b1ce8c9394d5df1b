"""The ledger and its running totals in Django's admin: to look at, never to change.

Entries are written only by `impact.services` (and the database refuses to change them); the
totals move with them; payout batches move through the station console. So every model here is
read-only for everyone, the superuser included. Households appear by registry ID and township
only, never by name (a household seller's Oscar partner is named after its head, so sellers are
not shown by that name either); payout lines, which hold bank accounts, are not shown at all."""

from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from impact.models import HouseholdBalance, HouseholdYear, LedgerEntry, PayoutBatch
from sellers.models import SellerKind


class ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("household"))
def household_shown(obj) -> str:
    household = obj.household
    return f"{household.registry_id} · {household.township.display_name}" if household else "—"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ["id", "created_at", "kind", "fee_type", "bucket", "amount", "gross", household_shown, "seller_shown",
                    "order_number"]
    list_filter = ["kind", "fee_type", "bucket"]
    search_fields = ["household__registry_id", "order__number", "idempotency_key"]
    list_select_related = ["household__township", "seller__partner", "order"]
    date_hierarchy = "created_at"
    # Named one by one: a household's or a household seller's own string carries the head's name.
    fields = ["kind", "fee_type", "bucket", "amount", "gross", "currency", "created_at", household_shown,
              "seller_shown", "order_number", "order_line_id", "shipment_id", "reverses_id", "payout_line_id",
              "idempotency_key", "reason", "approved_by_shown"]
    readonly_fields = fields

    @admin.display(description=_("seller"))
    def seller_shown(self, entry) -> str:
        seller = entry.seller
        if seller is None:
            return "—"
        if seller.kind == SellerKind.HOUSEHOLD:
            return _("household seller #%(id)s") % {"id": seller.pk}
        return seller.partner.name

    @admin.display(description=_("order"))
    def order_number(self, entry) -> str:
        return entry.order.number if entry.order_id else "—"

    @admin.display(description=_("approved by"))
    def approved_by_shown(self, entry) -> str:
        return entry.approved_by.get_username() if entry.approved_by_id else "—"


@admin.register(HouseholdBalance)
class HouseholdBalanceAdmin(ReadOnly):
    list_display = [household_shown, "pending", "settled", "paid_out"]
    search_fields = ["household__registry_id"]
    list_select_related = ["household__township"]
    fields = [household_shown, "pending", "settled", "paid_out"]
    readonly_fields = fields


@admin.register(HouseholdYear)
class HouseholdYearAdmin(ReadOnly):
    list_display = [household_shown, "year", "gross_sales", "net_income"]
    list_filter = ["year"]
    search_fields = ["household__registry_id"]
    list_select_related = ["household__township"]
    fields = [household_shown, "year", "gross_sales", "net_income"]
    readonly_fields = fields


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnly):
    list_display = ["id", "station", "status", "prepared_at", "paid_at", "bank_reference", "households", "total"]
    list_filter = ["status", "station"]
    list_select_related = ["station"]
    fields = ["station", "status", "prepared_by", "prepared_at", "paid_by", "paid_at", "bank_reference", "households",
              "total"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"), line_total=Sum("lines__amount"))

    @admin.display(description=_("households"))
    def households(self, batch) -> int:
        return batch.line_count

    @admin.display(description=_("total"))
    def total(self, batch):
        return batch.line_total
