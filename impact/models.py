"""The income ledger, its running totals, fee rules, poverty lines and payout batches.

Ledger entries are append-only: the model refuses to update or delete them, and so does the
database itself (triggers added by migration 0004, on SQLite and PostgreSQL alike). Everything a
household is owed is derived from entries; the running totals (`HouseholdBalance`,
`HouseholdYear`, `SellerYear`) are written in the same transaction as the entries that move them,
and `manage.py impact_audit` proves they still equal the sums of those entries."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shop.core.money import Currency

ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class EntryKind(models.TextChoices):
    SALE_PENDING = "sale_pending", _("Sale (pending)")
    SALE_SETTLED = "sale_settled", _("Sale settled")
    FEE = "fee", _("Fee")
    REVERSAL = "reversal", _("Reversal")
    PAYOUT = "payout", _("Payout")
    ADJUSTMENT = "adjustment", _("Adjustment")


class FeeType(models.TextChoices):
    COMMISSION = "commission", _("Platform commission")
    PACKING = "packing", _("Packing")
    TRANSPORT = "transport", _("Transport")
    COLD_CHAIN = "cold_chain", _("Cold chain")


class Bucket(models.TextChoices):
    """Which of a household's balances an entry moves. A settlement moves money from pending to
    settled; a payout from settled to paid out; fees move no household's balance."""

    PENDING = "pending", _("Pending")
    SETTLED = "settled", _("Settled")
    NONE = "none", _("None")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger entries are append-only: write a reversal or an adjustment instead.")

    def delete(self):
        raise TypeError("Ledger entries are append-only: write a reversal or an adjustment instead.")

    _raw_delete = delete


class LedgerEntry(models.Model):
    """One movement of money. The party is a household, or a cooperative (seller) for the part of
    its sale no benefit link passes on, or nobody for the buyer's delivery fees. Signs: credits
    and fees are positive, reversals and payouts negative; a settlement is positive and moves its
    amount from pending to settled."""

    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    fee_type = models.CharField(_("fee type"), max_length=16, choices=FeeType.choices, blank=True)
    bucket = models.CharField(_("balance"), max_length=8, choices=Bucket.choices)
    household = models.ForeignKey(
        "sellers.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    seller = models.ForeignKey("sellers.Seller", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey("order.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(
        "logistics.Shipment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    # The share of the buyer's price behind a credit (before fees), so reports can show gross sales
    # per household from the ledger alone.
    gross = money_field(_("gross"))
    currency = models.CharField(_("currency"), max_length=3, default=Currency.CNY, editable=False)
    created_at = models.DateTimeField(_("time"), db_index=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payout_line = models.OneToOneField(
        "impact.PayoutLine", null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["household", "created_at"], name="ledger_household_time"),
            models.Index(fields=["order", "kind"], name="ledger_order_kind"),
            models.Index(fields=["order_line", "kind"], name="ledger_line_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                name="ledger_adjustment_has_reason_and_approver",
                condition=~models.Q(kind="adjustment") | (~models.Q(reason="") & models.Q(approved_by__isnull=False)),
            ),
            models.CheckConstraint(
                name="ledger_fee_is_typed",
                condition=~models.Q(kind="fee") | ~models.Q(fee_type=""),
            ),
            models.CheckConstraint(name="ledger_currency_cny", condition=models.Q(currency="CNY")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Ledger entries are append-only: write a reversal or an adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are append-only: write a reversal or an adjustment instead.")


class HouseholdBalance(models.Model):
    """What the platform owes a household, kept with the entries: pending (paid, not yet settled),
    settled (payable), and paid out so far."""

    household = models.OneToOneField("sellers.Household", on_delete=models.PROTECT, related_name="balance")
    pending = money_field(_("pending"))
    settled = money_field(_("settled"))
    paid_out = money_field(_("paid out"))

    class Meta:
        verbose_name = _("household balance")
        verbose_name_plural = _("household balances")


class HouseholdYear(models.Model):
    """A household's e-commerce income in one calendar year (China time), kept with the entries:
    what the officials' reports read instead of scanning the ledger."""

    household = models.ForeignKey("sellers.Household", on_delete=models.PROTECT, related_name="income_years")
    year = models.PositiveSmallIntegerField(_("year"))
    gross_sales = money_field(_("gross sales"))
    net_income = money_field(_("net income credited"))

    class Meta:
        verbose_name = _("household income in a year")
        verbose_name_plural = _("household incomes by year")
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="household_year_unique")]
        indexes = [models.Index(fields=["year", "household"], name="household_year_by_year")]


class TownshipMonth(models.Model):
    """Income credited to the households of one township in one month (China time), kept with
    the entries: the officials' monthly series adds these up instead of reading the ledger."""

    township = models.ForeignKey("shop.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    gross_sales = money_field(_("gross sales"))
    net_income = money_field(_("net income credited"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "month"], name="township_month_unique"),
        ]
        indexes = [models.Index(fields=["year", "township"], name="township_month_by_year")]


class SellerYear(models.Model):
    """A seller's net income credited in one year: the measure fair allocation ranks sellers by
    (whoever needs the next sale most) without reading orders."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="income_years")
    year = models.PositiveSmallIntegerField(_("year"))
    net_income = money_field(_("net income credited"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "year"], name="seller_year_unique")]


class FeeRule(models.Model):
    """A fee deducted from a sale before the household is credited: a share of the price and/or
    an amount per unit, for one category, one station, both, or everything. The most specific
    rule of each type wins (station and category, then station, then category, then the default)."""

    fee_type = models.CharField(
        _("fee type"), max_length=16,
        choices=[(FeeType.COMMISSION, FeeType.COMMISSION.label), (FeeType.PACKING, FeeType.PACKING.label)],
    )
    category = models.ForeignKey(
        "catalogue.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("category"), help_text=_("Empty: every category."),
    )
    station = models.ForeignKey(
        "logistics.Station", null=True, blank=True, on_delete=models.CASCADE, related_name="fee_rules",
        verbose_name=_("station"), help_text=_("Empty: every station."),
    )
    rate = models.DecimalField(
        _("share of the price"), max_digits=5, decimal_places=4, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))], help_text=_("0.0500 is 5%."),
    )
    per_unit = models.DecimalField(
        _("amount per unit (CNY)"), max_digits=8, decimal_places=2, default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    waived_for_certified = models.BooleanField(
        _("waived for certified poverty-alleviation products"), default=True,
    )

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        constraints = [
            # Coalesced: "every category" and "every station" are values here, not unknowns.
            models.UniqueConstraint(
                "fee_type", Coalesce("category", 0), Coalesce("station", 0), name="fee_rule_unique",
                violation_error_message=_("There is already a rule of this type for this category and station."),
            ),
            models.CheckConstraint(name="fee_rule_rate_below_one", condition=models.Q(rate__gte=0, rate__lt=1)),
            models.CheckConstraint(name="fee_rule_per_unit_not_negative", condition=models.Q(per_unit__gte=0)),
        ]

    def __str__(self):
        scope = " · ".join(str(x) for x in (self.category, self.station) if x) or _("default")
        return f"{self.get_fee_type_display()} ({scope})"


class LineKind(models.TextChoices):
    POVERTY_LINE = "national_rural_poverty_line", _("Rural poverty line")
    MONITORING = "relapse_monitoring_threshold", _("Relapse-monitoring threshold")


class PovertyLine(models.Model):
    """A poverty line or relapse-monitoring threshold, yuan per person per year, for one year and
    one region ("CN" for the national value, or a division code whose area it covers)."""

    year = models.PositiveSmallIntegerField(_("year"))
    region_code = models.CharField(
        _("region"), max_length=12, help_text=_("CN for the national line, or a division code (e.g. 53 for Yunnan)."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=LineKind.choices)
    amount = models.DecimalField(
        _("yuan per person per year"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["region_code", "year", "kind"]
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        constraints = [
            models.UniqueConstraint(fields=["year", "region_code", "kind"], name="poverty_line_unique"),
            models.CheckConstraint(name="poverty_line_not_negative", condition=models.Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.region_code} {self.year} {self.get_kind_display()}: {self.amount}"

    def clean(self):
        if self.region_code != "CN" and not (self.region_code.isascii() and self.region_code.isdigit()):
            raise ValidationError({"region_code": _("Use CN or a division code of digits.")})


class PayoutStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    PAID = "paid", _("Paid")


class PayoutBatch(models.Model):
    """A station's transfer of settled balances to its households' bank accounts. Prepared, sent
    to the bank as a file, then marked paid: only then does each line become a `payout` entry."""

    station = models.ForeignKey("logistics.Station", on_delete=models.PROTECT, related_name="payout_batches")
    status = models.CharField(_("status"), max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")

    def __str__(self):
        return f"{self.station} #{self.pk}"


class PayoutLine(models.Model):
    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    household = models.ForeignKey("sellers.Household", on_delete=models.PROTECT, related_name="payout_lines")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    # The account as it was when the batch was prepared: the bank file must match what was approved.
    bank_account = models.CharField(_("bank account"), max_length=32)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "household"], name="payout_line_unique"),
            models.CheckConstraint(name="payout_line_positive", condition=models.Q(amount__gt=0)),
        ]
