"""Who may see and change which households and listings.

Station staff work for their station's township; station managers also see the
households' personal data; officials read their county or city; the platform
operator (a superuser) sees everything; everyone else sees nothing."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oscar.apps.partner.models import StockRecord
from sellers.models import Household

OPERATOR = "operator"
MANAGER = "manager"
STAFF = "staff"
OFFICIAL = "official"


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
    def is_official(self) -> bool:
        return bool(self.official_prefixes)

    @property
    def can_read_registry(self) -> bool:
        return self.is_operator or self.is_station_staff or self.is_official

    def can_write_township(self, township_code: str) -> bool:
        return self.is_operator or township_code in self.staff_townships

    def can_read_township(self, township_code: str) -> bool:
        return self.can_write_township(township_code) or township_code.startswith(self.official_prefixes or ("\0",))

    def sees_personal_data(self, household: Household) -> bool:
        """Full ID numbers, phones and bank accounts: the household's own station manager only."""
        return household.township_id in self.managed_townships


NOBODY = Scope(None, False, frozenset(), frozenset(), ())


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (two small queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_wumeng_scope", None)
    if cached is not None:
        return cached
    from impact.models import OfficialScope
    from logistics.models import StationMembership, StationRole

    memberships = list(
        StationMembership.objects.filter(user=user, station__is_active=True).values_list("station__township_id", "role")
    )
    regions = OfficialScope.objects.filter(user=user).select_related("region")
    scope = Scope(
        user_id=user.pk,
        is_operator=user.is_superuser,
        staff_townships=frozenset(code for code, _role in memberships),
        managed_townships=frozenset(code for code, role in memberships if role == StationRole.MANAGER),
        official_prefixes=tuple(r.region.code_prefix for r in regions),
    )
    user._wumeng_scope = scope
    return scope


def _township_filter(scope: Scope, field: str) -> Q:
    if scope.is_operator:
        return Q()
    condition = Q(**{f"{field}__in": scope.staff_townships})
    for prefix in scope.official_prefixes:
        # Division codes nest by prefix; compare the related division's code, not the key.
        condition |= Q(**{f"{field.removesuffix('_id')}__code__startswith": prefix})
    return condition


def households_visible(scope: Scope) -> QuerySet[Household]:
    if not scope.can_read_registry:
        return Household.objects.none()
    return Household.objects.filter(_township_filter(scope, "township_id"))


def households_writable(scope: Scope) -> QuerySet[Household]:
    if scope.is_operator:
        return Household.objects.all()
    return Household.objects.filter(township_id__in=scope.staff_townships)


def listings_visible(scope: Scope) -> QuerySet[StockRecord]:
    """Stock records of sellers in the scope's townships."""
    if not scope.can_read_registry:
        return StockRecord.objects.none()
    return StockRecord.objects.filter(_township_filter(scope, "partner__seller__township_id"))


def listings_writable(scope: Scope) -> QuerySet[StockRecord]:
    if scope.is_operator:
        return StockRecord.objects.filter(partner__seller__isnull=False)
    return StockRecord.objects.filter(partner__seller__township_id__in=scope.staff_townships)

