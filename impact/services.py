from impact.models import OfficialScope
from shop.models import Division


def official_scope_grant(*, user, region: Division) -> OfficialScope:
    """Give an official read-only sight of a county or the city."""
    scope, _created = OfficialScope.objects.get_or_create(user=user, region=region)
    return scope
