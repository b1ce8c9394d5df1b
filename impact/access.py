"""Which regions a user may read reports of: an official their own regions (a county or the
city), the platform operator everything; nobody else any. Pages, exports and the API ask here."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from logistics.access import scope_for
from shop.core.replicas import reading_reports
from shop.models import Division, DivisionLevel, OfficialScope


def may_read_reports(user) -> bool:
    scope = scope_for(user)
    return scope.is_operator or scope.is_official


def report_regions(user) -> list[Division]:
    """The regions the user's reports start from: an official's own, or for the operator every
    city (one query)."""
    scope = scope_for(user)
    if scope.is_operator:
        return list(Division.objects.filter(level=DivisionLevel.CITY))
    if scope.is_official:
        return [s.region for s in OfficialScope.objects.filter(user_id=scope.user_id).select_related("region")]
    return []


def report_region(user, code: str | None) -> Division:
    """The region asked for (`code`, a division code; empty: the user's first region) if the user
    may read it; PermissionDenied otherwise, and Division.DoesNotExist for an unknown code."""
    scope = scope_for(user)
    if not (scope.is_operator or scope.is_official):
        raise PermissionDenied(_("Only officials may read the impact reports."))
    if not code:
        regions = report_regions(user)
        if not regions:
            raise Division.DoesNotExist
        return regions[0]
    region = Division.objects.get(code=code)
    if not (scope.is_operator or scope.reads_region(region.code)):
        raise PermissionDenied(_("This region is outside your area."))
    return region


def official_required(view):
    """Sign-in for visitors; 403 for signed-in people who read no reports (buyers, station staff).
    Outside the request's transaction: the pages only read, and on SQLite a transaction would
    hold the write lock (keeping buyers' payments waiting) while a city's report is summed.
    The view then reads from the reports' replica when there is one; the sign-in was read from
    the primary."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="impact:login")
        if not may_read_reports(request.user):
            raise PermissionDenied(_("Only officials may read the impact reports."))
        with reading_reports():
            return view(request, *args, **kwargs)

    return transaction.non_atomic_requests(wrapped)
