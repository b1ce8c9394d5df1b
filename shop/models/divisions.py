from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.i18n import localized


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class Division(models.Model):
    """An administrative division with its official code (GB/T 2260 and the
    9-digit township codes). Scopes of stations and officials hang off these."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def display_name(self):
        return localized(self, "name")

    @property
    def code_prefix(self) -> str:
        """The prefix every code inside this division starts with."""
        significant = {
            DivisionLevel.PROVINCE: 2, DivisionLevel.CITY: 4, DivisionLevel.COUNTY: 6, DivisionLevel.TOWNSHIP: 9,
        }[self.level]
        return self.code[:significant]
