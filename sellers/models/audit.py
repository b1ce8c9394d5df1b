"""The audit trail of a household's payout account, phone and consents: who changed what, when,
and through which channel. Rows are only ever added (by `sellers.services` and the registry
import, in the same transaction as the change); a row on record is never changed or deleted.

Values are kept as the trail's readers (station managers, officials) may see them: phone and
bank account masked to their last four digits, never in full; consents as booleans."""

from django.conf import settings
from django.db import models
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sellers.masking import mask_digits
from sellers.models.households import Household
from shop.core.errors import IllegalState

# The household fields whose every change is recorded, and those kept masked.
AUDITED_FIELDS = ("phone", "bank_account", "consent_to_sell", "consent_to_story")
MASKED_FIELDS = frozenset({"phone", "bank_account"})


class Channel(models.TextChoices):
    CONSOLE = "console", _("station console")
    API = "api", _("API")
    IMPORT = "import", _("registry import")
    SYSTEM = "system", _("system (demo data, scripts)")


class AuditRowIsFinal(IllegalState):
    """Something tried to change or delete a change on record."""


class HouseholdChangeQuerySet(models.QuerySet):
    """Rows are added, one by one or in bulk; never changed or deleted, not in bulk either."""

    def update(self, **kwargs):
        raise AuditRowIsFinal(_("Household changes on record cannot be changed."))

    def delete(self):
        raise AuditRowIsFinal(_("Household changes on record cannot be deleted."))


class HouseholdChange(models.Model):
    """One change of one audited field of a household (registration: a change from nothing)."""

    # The trail lives as long as the household's record: registered households are not deleted by
    # the services, only by the operator (the admin) or a script cleaning up its own test records.
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(_("field"), max_length=32, choices=[(name, name) for name in AUDITED_FIELDS])
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    objects = HouseholdChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("household change")
        verbose_name_plural = _("household changes")
        default_permissions = ("view",)  # an audit trail is read, never edited: no change permission

    def __str__(self):
        return f"{self.household_id} {self.field} {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def field_label(self):
        return Household._meta.get_field(self.field).verbose_name

    @property
    def old_shown(self) -> str:
        return _shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return _shown(self.new_value)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRowIsFinal(_("Household changes on record cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRowIsFinal(_("Household changes on record cannot be deleted."))


def _shown(value) -> str:
    """A value of the trail for a page: a consent as yes or no, nothing as a dash."""
    if isinstance(value, bool):
        return yesno(value)
    return value or "—"


def audit_value(field: str, value):
    """What the trail keeps of a field's value: digits masked to the last four, booleans as is."""
    if field in MASKED_FIELDS:
        return mask_digits(value or "")
    return value


def household_changes(*, household: Household, before: dict | None, changed_by, channel: str,
                      at=None) -> list[HouseholdChange]:
    """The audit rows (unsaved) of the audited fields that differ from `before`, the values before
    the change (None for a new household: its empty fields and consents not given are no change)."""
    at = at or timezone.now()
    rows = []
    for name in AUDITED_FIELDS:
        new = getattr(household, name)
        old = None if before is None else before[name]
        if (before is None and not new) or (before is not None and new == old):
            continue
        rows.append(HouseholdChange(
            household=household, field=name, old_value=None if before is None else audit_value(name, old),
            new_value=audit_value(name, new), changed_by=changed_by, changed_at=at, channel=channel,
        ))
    return rows
