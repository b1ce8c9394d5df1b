"""Who may open the station console: station staff (and the platform operator)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from logistics.access import scope_for
from shop.core.errors import NotFound, OutOfScope


def station_staff_required(view=None, *, manager=False):
    """Sign-in for visitors; 403 for signed-in people who do not work at a station
    (or, with `manager=True`, do not manage one). Puts the scope on `request.scope`, and
    answers the selectors' NotFound with 404 and OutOfScope with 403, as the API does."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url="station:login")
            scope = scope_for(request.user)
            allowed = scope.is_operator or (scope.managed_townships if manager else scope.staff_townships)
            if not allowed:
                raise PermissionDenied
            request.scope = scope
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                raise Http404(error.message) from error
            except OutOfScope as error:
                raise PermissionDenied(error.message) from error

        return wrapped

    return decorator(view) if view else decorator
