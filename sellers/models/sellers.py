from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sellers import codes
from sellers.models.households import Household


class SellerKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    COOPERATIVE = "cooperative", _("Cooperative")
    ENTERPRISE = "enterprise", _("Enterprise")


class Seller(models.Model):
    """Whoever sells: a household its own goods, or a cooperative or enterprise
    that passes income to households through benefit links. One Oscar Partner each."""

    kind = models.CharField(_("kind"), max_length=16, choices=SellerKind.choices)
    partner = models.OneToOneField(
        "partner.Partner", on_delete=models.PROTECT, related_name="seller", verbose_name=_("partner")
    )
    household = models.OneToOneField(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="seller"
    )
    township = models.ForeignKey(
        "shop.Division", verbose_name=_("township"), on_delete=models.PROTECT, related_name="sellers"
    )

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.CheckConstraint(
                name="seller_household_kind_has_household",
                condition=~models.Q(kind="household") | models.Q(household__isnull=False),
            ),
        ]

    def __str__(self):
        return self.partner.name


class BenefitLink(models.Model):
    """How a cooperative's or enterprise's sales reach a household."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="benefit_links")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="benefit_links")
    kind = models.CharField(_("kind"), max_length=16, choices=codes.choices("benefit_link"))
    share = models.DecimalField(
        _("share of income"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Fraction of the seller's net income credited to this household (0–1)."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "household", "kind"], name="benefit_link_unique"),
            models.CheckConstraint(
                name="benefit_link_share_in_range", condition=models.Q(share__gte=0, share__lte=1)
            ),
        ]
