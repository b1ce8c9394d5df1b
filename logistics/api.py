"""Stations over the API, for the station staff and officials who may see them."""

from django.db.models import QuerySet
from rest_framework import generics, serializers

from logistics.access import ReadsRegistry, Scope, scope_for
from logistics.models import Station


def stations_visible(scope: Scope) -> QuerySet[Station]:
    """Active stations in townships the scope may read. There is one station per township or so,
    so asking `Scope.can_read_township` per township keeps the rule in one place at little cost."""
    active = Station.objects.filter(is_active=True)
    townships = [
        code
        for code in active.order_by().values_list("township_id", flat=True).distinct()
        if scope.can_read_township(code)
    ]
    return active.filter(township_id__in=townships).select_related("township")


class StationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    township_code = serializers.CharField(source="township_id")
    county_code = serializers.CharField(source="township.parent_id", allow_null=True)
    cold_chain = serializers.BooleanField()


class StationList(generics.ListAPIView):
    """Stations the caller works with: station staff their own, officials those of their region."""

    permission_classes = [ReadsRegistry]
    serializer_class = StationSerializer

    def get_queryset(self):
        return stations_visible(scope_for(self.request.user))
