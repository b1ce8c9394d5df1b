"""Who may edit the fee rules and the poverty lines: the platform operator, i.e. active staff,
the users Oscar's dashboard itself lets in (`oscar.apps.dashboard.apps` asks for `is_staff`).

Imports nothing: the settings import it for the dashboard's menu (Oscar's menu checks each
entry with an `access_fn`, and its default knows only Oscar's own dashboard apps)."""

# Oscar's permission list (`oscar.views.decorators.check_permissions`): active staff.
OPERATOR_PERMISSIONS = ["is_staff"]


def operator_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """The dashboard menu's test for the Impact entries."""
    return bool(user.is_active and user.is_staff)
