from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficialScope(models.Model):
    """A government official's read-only window onto one region (a county or the city).
    Kept beside the user model: it says who a user is, as a station membership does."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official_scopes")
    region = models.ForeignKey("shop.Division", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("official's region")
        verbose_name_plural = _("officials' regions")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="official_scope_unique")]

    def __str__(self):
        return f"{self.user} → {self.region}"
