"""Stations and shipments over the API, for the station staff and officials who may see them."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from logistics.access import ReadsRegistry, Scope, WorksAtStation, scope_for
from logistics.carriers import carriers_all
from logistics.models import Grade, Shipment, ShipmentStatus, Station
from logistics.movement import Intake, Move, shipment_move
from logistics.selectors import shipments_in_scope, shipments_queue, with_shipment_details
from shop.core.api import ErrorSerializer, StrictInputSerializer
from shop.core.prefetch import remember_related

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}


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


# --- shipments ----------------------------------------------------------------------------------


class ShipmentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField(source="order_line.product_id", allow_null=True)
    title = serializers.CharField(source="order_line.title")
    quantity = serializers.IntegerField(source="order_line.quantity")
    household = serializers.SerializerMethodField()
    weight_kg = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    grade = serializers.CharField()
    qc_failed = serializers.BooleanField()

    def get_household(self, line) -> str | None:
        household = line.household
        return household.registry_id if household else None


class ShipmentEventSerializer(serializers.Serializer):
    type = serializers.CharField()
    from_status = serializers.CharField()
    at = serializers.DateTimeField()
    source = serializers.CharField()
    place = serializers.CharField()
    note = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField(source="order.number")
    station = serializers.CharField(source="station.code")
    status = serializers.ChoiceField(choices=ShipmentStatus.choices)
    storage = serializers.CharField()
    created_at = serializers.DateTimeField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    lines = ShipmentLineSerializer(many=True)
    events = ShipmentEventSerializer(many=True)


STATUS_FILTER = OpenApiParameter("status", OpenApiTypes.STR, enum=ShipmentStatus.values, description="only this status")
STATION_FILTER = OpenApiParameter("station", OpenApiTypes.STR, description="a station code")


@extend_schema(parameters=[STATION_FILTER, STATUS_FILTER], responses={200: ShipmentSerializer(many=True), **ERRORS})
class ShipmentList(generics.ListAPIView):
    """The queue of the caller's stations: paid shipments, newest first."""

    permission_classes = [WorksAtStation]
    serializer_class = ShipmentSerializer

    def get_queryset(self):
        shipments = shipments_queue(scope_for(self.request.user))
        params = self.request.query_params
        if params.get("station"):
            if not Station.objects.filter(code=params["station"]).exists():
                raise serializers.ValidationError({"station": [_("No station has this code.")]})
            shipments = shipments.filter(station__code=params["station"])
        if params.get("status"):
            if params["status"] not in ShipmentStatus.values:
                raise serializers.ValidationError({"status": [_("Unknown status.")]})
            shipments = shipments.filter(status=params["status"])
        return with_shipment_details(shipments).order_by("-created_at", "id")


class IntakeSerializer(StrictInputSerializer):
    id = serializers.IntegerField(help_text=_("a shipment line id"))
    weight_kg = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=0)
    grade = serializers.ChoiceField(choices=Grade.choices)


class ShipmentEventInputSerializer(StrictInputSerializer):
    type = serializers.ChoiceField(choices=ShipmentStatus.choices)
    carrier = serializers.ChoiceField(choices=[], required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lines = IntakeSerializer(many=True, required=False, max_length=200, help_text=_("received: each line's weight and grade"))
    failed_lines = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=200,
        help_text=_("qc_passed: ids of the lines that failed (refunded; the rest go on)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [(carrier.code, str(carrier.name)) for carrier in carriers_all()]

    def to_move(self) -> Move:
        data = self.validated_data
        return Move(
            to=data["type"], note=data.get("note", ""), carrier=data.get("carrier", ""),
            tracking_number=data.get("tracking_number", ""),
            intake={line["id"]: Intake(line["weight_kg"], line["grade"]) for line in data.get("lines", [])},
            failed_lines=frozenset(data.get("failed_lines", [])),
        )


class ShipmentEventCreate(APIView):
    """Move a shipment one step (DESIGN.md's state machine). An illegal move is 409 and changes nothing."""

    permission_classes = [WorksAtStation]

    @extend_schema(
        request=ShipmentEventInputSerializer,
        responses={201: ShipmentSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        serializer = ShipmentEventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = shipment_move(
            shipment=Shipment(pk=pk), move=serializer.to_move(), by=request.user, source="api",
            within=shipments_in_scope(scope_for(request.user)),
        )
        # The move read the shipment and its lines already: only the events are asked for again.
        shipment = moved.shipment
        remember_related(shipment, "lines", moved.lines)
        remember_related(shipment, "events", shipment.events.order_by("at", "id"))
        return Response(ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)
