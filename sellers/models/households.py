from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sellers import codes

ID_NUMBER_SHAPE = RegexValidator(r"^\d{17}[\dX]$", _("An ID number has 17 digits and a check digit (0-9 or X)."))


class Household(models.Model):
    """A registered poor household (建档立卡户) as the registry records it."""

    registry_id = models.CharField(_("registry ID"), max_length=32, unique=True)
    township = models.ForeignKey(
        "shop.Division", verbose_name=_("township"), on_delete=models.PROTECT, related_name="households"
    )
    village = models.CharField(_("village"), max_length=64)
    head_name = models.CharField(_("head of household"), max_length=32)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[ID_NUMBER_SHAPE])
    members = models.PositiveSmallIntegerField(_("members"), validators=[MinValueValidator(1)])
    poverty_cause = models.CharField(_("main poverty cause"), max_length=4, choices=codes.choices("poverty_cause"))
    secondary_poverty_cause = models.CharField(
        _("secondary poverty cause"), max_length=4, blank=True, choices=codes.choices("poverty_cause")
    )
    attribute = models.CharField(_("household attribute"), max_length=4, choices=codes.choices("household_attribute"))
    poverty_status = models.CharField(_("poverty status"), max_length=4, choices=codes.choices("poverty_status"))
    monitoring_type = models.CharField(
        _("monitoring type"), max_length=4, blank=True, choices=codes.choices("monitoring_type")
    )
    baseline_income_per_capita = models.DecimalField(
        _("baseline per-capita net income (CNY/year)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    identified_year = models.PositiveSmallIntegerField(_("year identified"))
    exited_year = models.PositiveSmallIntegerField(_("year exited"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account for payouts"), max_length=32, blank=True)
    capacity = models.CharField(
        _("declared production capacity"), max_length=128, blank=True, help_text=_("e.g. 300 birds/year, 5 mu orchard")
    )
    consent_to_sell = models.BooleanField(_("consents to sell through the platform"), default=False)
    consent_to_story = models.BooleanField(_("consents to have their story shown"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registry_id"]
        verbose_name = _("registered household")
        verbose_name_plural = _("registered households")
        constraints = [
            models.CheckConstraint(name="household_members_at_least_one", condition=models.Q(members__gte=1)),
            models.CheckConstraint(
                name="household_baseline_not_negative", condition=models.Q(baseline_income_per_capita__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.registry_id} {self.head_name}"

    @property
    def poverty_cause_label(self):
        return codes.label("poverty_cause", self.poverty_cause)

    @property
    def poverty_status_label(self):
        return codes.label("poverty_status", self.poverty_status)


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=32)
    relation = models.CharField(_("relation to head"), max_length=16)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[ID_NUMBER_SHAPE])

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self):
        return f"{self.name} ({self.relation})"
