from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sellers import codes, idnumbers

# The household rules, in one place: the model's validators and constraints below, and the
# data checks (`sellers.data_checks`) for records older than the rules, read these.
MIN_MEMBERS = 1
MAX_MEMBERS = 20
FIRST_IDENTIFIED_YEAR = 2013


def current_year() -> int:
    """This year, where the registry is (the latest year a household can be identified or exit)."""
    return timezone.localdate().year


def validate_id_number(value: str) -> None:
    """A resident ID number (GB 11643): 18 characters, a real birth date and the right check digit.
    The doors upper-case a final x before it gets here."""
    if not idnumbers.is_valid(value):
        raise ValidationError(
            _("This ID number is not valid (check the 18 digits and the last one)."), code="invalid_id_number"
        )


class Household(models.Model):
    """A registered poor household (建档立卡户) as the registry records it.

    The rules for its data live here, and the API, the station console and the CSV import all
    run them (`full_clean()`); the database holds the ones it can express as constraints:

    - ID numbers (the head's and every member's) are 18 characters with a valid birth date and
      GB 11643 check digit.
    - Members: 1 to 20 (MIN_MEMBERS, MAX_MEMBERS). Rural households in Zhaotong are large, but
      more than 20 people in one registered household is a data-entry slip, not a family.
    - Identified from 2013 (FIRST_IDENTIFIED_YEAR), when the national registration of poor
      households (建档立卡) began, to this year; "this year" moves, so that bound is a validator,
      not a constraint.
    - Exited: none yet, or from the year identified to this year; a household cannot exit
      before it was identified (`clean()` and a constraint).
    """

    registry_id = models.CharField(_("registry ID"), max_length=32, unique=True)
    township = models.ForeignKey(
        "shop.Division", verbose_name=_("township"), on_delete=models.PROTECT, related_name="households"
    )
    village = models.CharField(_("village"), max_length=64)
    head_name = models.CharField(_("head of household"), max_length=32)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number])
    members = models.PositiveSmallIntegerField(
        _("members"), validators=[MinValueValidator(MIN_MEMBERS), MaxValueValidator(MAX_MEMBERS)]
    )
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
    identified_year = models.PositiveSmallIntegerField(
        _("year identified"), validators=[MinValueValidator(FIRST_IDENTIFIED_YEAR), MaxValueValidator(current_year)]
    )
    exited_year = models.PositiveSmallIntegerField(
        _("year exited"), null=True, blank=True, validators=[MaxValueValidator(current_year)]
    )
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
            models.CheckConstraint(
                name="household_members_in_range",
                condition=models.Q(members__gte=MIN_MEMBERS, members__lte=MAX_MEMBERS),
            ),
            models.CheckConstraint(
                name="household_baseline_not_negative", condition=models.Q(baseline_income_per_capita__gte=0)
            ),
            models.CheckConstraint(
                name="household_identified_from_first_year",
                condition=models.Q(identified_year__gte=FIRST_IDENTIFIED_YEAR),
            ),
            models.CheckConstraint(
                name="household_exited_not_before_identified",
                condition=models.Q(exited_year__isnull=True) | models.Q(exited_year__gte=models.F("identified_year")),
            ),
        ]

    def __str__(self):
        return f"{self.registry_id} {self.head_name}"

    def clean(self):
        super().clean()
        identified, exited = self.identified_year, self.exited_year
        # A year that failed its own field's checks is reported there, not again here.
        if isinstance(identified, int) and isinstance(exited, int) and exited < identified:
            raise ValidationError({"exited_year": ValidationError(
                _("A household cannot exit before it was identified."), code="exited_before_identified"
            )})

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
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number])

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self):
        return f"{self.name} ({self.relation})"
