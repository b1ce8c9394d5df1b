"""Who may see and change what, decided once for the API and the console alike.

Stations are the unit of scope: station staff work for their station's township, station
managers also see the households' personal data, officials read their county or city (their
regions live beside the user model), the platform operator (a superuser) sees everything, and
everyone else sees nothing. The querysets of each app filter by a `Scope`; the DRF permission
classes here only turn it into yes or no (401 for an anonymous caller, 403 outside the roles)."""

from dataclasses import dataclass

from django.db.models import Value
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from logistics.models import StationMembership, StationRole
from shop.models import Division, OfficialScope


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_operator: bool
    staff_townships: frozenset[str]  # townships of the stations the user works at
    managed_townships: frozenset[str]  # the subset where the user is the manager
    official_prefixes: tuple[str, ...]  # code prefixes of the officials' regions

    @property
    def is_station_staff(self) -> bool:
        return bool(self.staff_townships)

    @property
    def is_station_manager(self) -> bool:
        return bool(self.managed_townships)

    @property
    def is_official(self) -> bool:
        return bool(self.official_prefixes)

    @property
    def can_read_registry(self) -> bool:
        return self.is_operator or self.is_station_staff or self.is_official

    def can_write_township(self, township_code: str) -> bool:
        return self.is_operator or township_code in self.staff_townships

    def can_read_township(self, township_code: str) -> bool:
        return self.can_write_township(township_code) or self.reads_region(township_code)

    def manages(self, township_code: str) -> bool:
        """A manager of the station of this township (the household's own station)."""
        return township_code in self.managed_townships

    def sees_personal_data(self, household) -> bool:
        """Full phones and bank accounts: the household's own station manager only (not even the
        operator; the resident ID number is shown to nobody)."""
        return self.manages(household.township_id)

    def may_set_bank_account(self, township_code: str) -> bool:
        """Where a household's income is paid: set by a manager of its own station, or the operator
        (both audited). Clerks may not, not even at registration: they cannot see the account, so
        nobody would notice payouts redirected to another."""
        return self.is_operator or self.manages(township_code)

    def may_read_household_changes(self, township_code: str) -> bool:
        """The audit trail of a household: its own station's managers, officials of its region and
        the operator; clerks, who register and edit households, do not read it."""
        return self.is_operator or self.manages(township_code) or self.reads_region(township_code)

    def reads_region(self, township_code: str) -> bool:
        return township_code.startswith(self.official_prefixes or ("\0",))


NOBODY = Scope(None, False, frozenset(), frozenset(), ())


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one small query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_wumeng_scope", None)
    if cached is not None:
        return cached
    # One query for both kinds of role: (township, station role) and (region code, level).
    stations = StationMembership.objects.filter(user=user, station__is_active=True).annotate(
        kind=Value("station")
    ).values_list("station__township_id", "role", "kind")
    officials = OfficialScope.objects.filter(user=user).annotate(kind=Value("official")).values_list(
        "region_id", "region__level", "kind"
    )
    rows = list(stations.union(officials, all=True))
    memberships = [(code, role) for code, role, kind in rows if kind == "station"]
    regions = [Division(code=code, level=level) for code, level, kind in rows if kind == "official"]
    scope = Scope(
        user_id=user.pk,
        is_operator=user.is_superuser,
        staff_townships=frozenset(code for code, _role in memberships),
        managed_townships=frozenset(code for code, role in memberships if role == StationRole.MANAGER),
        official_prefixes=tuple(region.code_prefix for region in regions),
    )
    user._wumeng_scope = scope
    return scope


class ReadsRegistry(permissions.BasePermission):
    """Station staff, officials and the platform operator; buyers and everyone else are refused."""

    message = _("Only station staff and officials may use this.")

    def has_permission(self, request, view):
        return scope_for(request.user).can_read_registry


class StationStaffWrites(permissions.BasePermission):
    """Reads like `ReadsRegistry`; changes only by station staff (and the operator). Officials read."""

    def has_permission(self, request, view):
        scope = scope_for(request.user)
        if request.method in permissions.SAFE_METHODS:
            self.message = ReadsRegistry.message
            return scope.can_read_registry
        self.message = _("Only station staff may change this.")
        return scope.is_operator or scope.is_station_staff


class WorksAtStation(permissions.BasePermission):
    """Station staff and managers (and the operator): the shipping work of their stations."""

    message = _("Only station staff may use this.")

    def has_permission(self, request, view):
        scope = scope_for(request.user)
        return scope.is_operator or scope.is_station_staff
