"""The household registry and listings over the API (DESIGN.md, "REST API (v1)").

Input serializers check the shape of a request, output serializers shape the answer;
`logistics.access` and `sellers.selectors` decide who may see or change what, and `sellers.services`
does the writing.
Errors are raised (ValidationError, `shop.core.errors.*`) and turned into the one error body at the edge."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api import listing_categories
from catalogue.selectors import public_products
from catalogue.services import POOLED
from logistics.access import ReadsRegistry, StationStaffWrites, scope_for
from sellers import codes, services
from sellers.masking import personal_fields
from sellers.models import Household, HouseholdChange
from sellers.models.audit import AUDITED_FIELDS, Channel
from sellers.partner.models import StockRecord
from sellers.selectors import (
    household_for_scope,
    households_visible,
    listing_for_scope,
    listings_visible,
    may_set_price,
    with_listing_details,
)
from shop.core.api import AmountField, ErrorSerializer, StrictInputSerializer
from shop.core.errors import OutOfScope
from shop.models import Division, DivisionLevel

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
CREATE_ERRORS = {code: ERRORS[code] for code in (400, 401, 403)}
def code_field(list_name: str, *, required: bool = True) -> serializers.ChoiceField:
    """A code from the registry's official list (`sellers/data/household_codes.csv`)."""
    return serializers.ChoiceField(
        choices=sorted(codes.codes(list_name)), required=required, allow_blank=not required
    )


# The schema names each field's choice set after the field; this one shares poverty_cause's
# codes, so it is described inline to keep one name (PovertyCauseEnum) for that set.
@extend_schema_field({"oneOf": [
    {"type": "string", "enum": sorted(codes.codes("poverty_cause"))}, {"type": "string", "enum": [""]},
]})
class SecondaryPovertyCauseField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=sorted(codes.codes("poverty_cause")), required=False, allow_blank=True, **kwargs)


# --- households ---------------------------------------------------------------------------------


class HouseholdFieldsSerializer(StrictInputSerializer):
    """What a station may write about a household: the shape of each field. The household rules
    (members, years, ID numbers, exit not before identification) are the model's, checked by
    `services.household_register` and `household_update`; their ValidationError is the same 400."""

    village = serializers.CharField(max_length=64)
    head_name = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=18, write_only=True)
    members = serializers.IntegerField()
    poverty_cause = code_field("poverty_cause")
    secondary_poverty_cause = SecondaryPovertyCauseField()
    attribute = code_field("household_attribute")
    poverty_status = code_field("poverty_status")
    monitoring_type = code_field("monitoring_type", required=False)
    baseline_income_per_capita = AmountField()
    identified_year = serializers.IntegerField()
    exited_year = serializers.IntegerField(required=False, allow_null=True)
    # Digits only, so a masked value read from the API ("*******5678") cannot be written back.
    phone = serializers.RegexField(
        r"^[0-9+\- ]*$", max_length=20, required=False, allow_blank=True,
        error_messages={"invalid": _("A phone number has only digits, spaces, + and -.")},
    )
    bank_account = serializers.RegexField(
        r"^[0-9 ]*$", max_length=32, required=False, allow_blank=True,
        error_messages={"invalid": _("A bank account number has only digits and spaces.")},
    )
    capacity = serializers.CharField(max_length=128, required=False, allow_blank=True)
    consent_to_sell = serializers.BooleanField(required=False)
    consent_to_story = serializers.BooleanField(required=False)

    def validate_id_number(self, value: str) -> str:
        return value.strip().upper()  # the check digit may be typed as a small x


class HouseholdRegistrationSerializer(HouseholdFieldsSerializer):
    registry_id = serializers.CharField(max_length=32)
    township_code = serializers.SlugRelatedField(
        source="township", slug_field="code", queryset=Division.objects.filter(level=DivisionLevel.TOWNSHIP),
        error_messages={"does_not_exist": _("No township has the code {value}.")},
    )


class HouseholdChangesSerializer(HouseholdFieldsSerializer):
    fixed_fields = frozenset({"registry_id", "township_code"})


class HouseholdSerializer(serializers.Serializer):
    """A household as the caller may see it: ID number, phone and bank account are masked to
    their last four digits unless the caller manages the household's own station."""

    registry_id = serializers.CharField()
    township_code = serializers.CharField(source="township_id")
    village = serializers.CharField()
    head_name = serializers.CharField()
    id_number_masked = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    personal_data_masked = serializers.SerializerMethodField()
    members = serializers.IntegerField()
    poverty_cause = serializers.CharField()
    secondary_poverty_cause = serializers.CharField()
    attribute = serializers.CharField()
    poverty_status = serializers.CharField()
    monitoring_type = serializers.CharField()
    baseline_income_per_capita = AmountField()
    identified_year = serializers.IntegerField()
    exited_year = serializers.IntegerField(allow_null=True)
    capacity = serializers.CharField()
    consent_to_sell = serializers.BooleanField()
    consent_to_story = serializers.BooleanField()

    def _full(self, household: Household) -> bool:
        return self.context["scope"].sees_personal_data(household)

    def _personal(self, household: Household) -> dict[str, str]:
        return personal_fields(household, full=self._full(household))

    def get_id_number_masked(self, household: Household) -> str:
        return self._personal(household)["id_number"]

    def get_phone(self, household: Household) -> str:
        return self._personal(household)["phone"]

    def get_bank_account(self, household: Household) -> str:
        return self._personal(household)["bank_account"]

    def get_personal_data_masked(self, household: Household) -> bool:
        return not self._full(household)


class HouseholdList(generics.ListAPIView):
    """Households in the caller's townships (station staff) or region (officials)."""

    permission_classes = [StationStaffWrites]
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        return households_visible(scope_for(self.request.user)).order_by("registry_id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_for(self.request.user)}

    @extend_schema(
        description="Register a household in a township of the caller's station. Only a manager of that "
        "station may give a `bank_account` (a clerk who sends one gets 403, with the field named).",
        request=HouseholdRegistrationSerializer, responses={201: HouseholdSerializer, **CREATE_ERRORS},
    )
    def post(self, request):
        scope = scope_for(request.user)
        serializer = HouseholdRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not scope.can_write_township(data["township"].code):
            raise OutOfScope(_("You can only register households in your station's township."))
        household = services.household_register(**data, recorded_by=request.user, scope=scope, channel=Channel.API)
        return Response(HouseholdSerializer(household, context={"scope": scope}).data, status=status.HTTP_201_CREATED)


class HouseholdDetail(APIView):
    """One household; station staff of its township may change it, only its station's manager its
    bank account."""

    permission_classes = [StationStaffWrites]

    @extend_schema(responses={200: HouseholdSerializer, **ERRORS})
    def get(self, request, registry_id: str):
        scope = scope_for(request.user)
        household = household_for_scope(scope=scope, registry_id=registry_id)
        return Response(HouseholdSerializer(household, context={"scope": scope}).data)

    @extend_schema(
        description="Change a household. Only a manager of its station may send `bank_account` (a clerk "
        "who sends it gets 403, with the field named, and nothing changes). Every change of phone, bank "
        "account and consents is recorded (`changes/`); withdrawing `consent_to_story` unpublishes the "
        "household's stories at once.",
        request=HouseholdChangesSerializer, responses={200: HouseholdSerializer, **ERRORS},
    )
    def patch(self, request, registry_id: str):
        scope = scope_for(request.user)
        household = household_for_scope(scope=scope, registry_id=registry_id, write=True)
        serializer = HouseholdChangesSerializer(household, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        household = services.household_update(
            household=household, recorded_by=request.user, scope=scope, channel=Channel.API, **changes
        )
        return Response(HouseholdSerializer(household, context={"scope": scope}).data)


# A value in the trail: a phone or bank account masked to its last four digits, a consent as a
# boolean, or null (nothing before the household was registered).
@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "boolean"}], "nullable": True})
class AuditValueField(serializers.JSONField):
    pass


class HouseholdChangeSerializer(serializers.Serializer):
    """One change of a household's phone, bank account or consents: numbers masked, never whole."""

    field = serializers.ChoiceField(choices=AUDITED_FIELDS)
    old_value = AuditValueField()
    new_value = AuditValueField()
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    changed_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)


class HouseholdChangeList(generics.ListAPIView):
    """The audit trail of one household, newest first."""

    permission_classes = [ReadsRegistry]
    serializer_class = HouseholdChangeSerializer

    @extend_schema(
        description="Every change of the household's phone, bank account and consents, newest first: who "
        "made it, when and through which channel (console, API, registry import), with phone and bank "
        "numbers masked to their last four digits. For the household's station managers and officials of "
        "its region; station clerks are refused (403).",
        responses={200: HouseholdChangeSerializer(many=True), **{code: ERRORS[code] for code in (401, 403, 404)}},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        scope = scope_for(self.request.user)
        household = household_for_scope(scope=scope, registry_id=self.kwargs["registry_id"])
        if not scope.may_read_household_changes(household.township_id):
            raise OutOfScope(_("Only the household's station managers and officials of its region may read its changes."))
        return HouseholdChange.objects.filter(household=household).select_related("changed_by")


# --- listings -----------------------------------------------------------------------------------

NEW_PRODUCT_FIELDS = ("title", "category", "unit", "description")


class ListingCreateSerializer(StrictInputSerializer):
    household = serializers.CharField(max_length=32, help_text="The household's registry ID.")
    product_id = serializers.PrimaryKeyRelatedField(
        source="product", required=False, allow_null=True,
        queryset=public_products().filter(product_class__slug=POOLED),
        error_messages={"does_not_exist": _("No pooled product on sale has the id {pk_value}.")},
        help_text="An existing pooled product to add the household's stock to.",
    )
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=listing_categories(), required=False, allow_null=True,
        error_messages={"does_not_exist": _("No category has the slug {value}.")},
    )
    unit = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    price = AmountField(
        min_value=Decimal("0.01"), required=False,
        help_text="A new product's price. For stock of an existing product, leave it out (or send the "
        "product's own price): every household supplying a product sells it at one price.",
    )
    stock = serializers.IntegerField(min_value=0, max_value=1_000_000)

    def validate_household(self, value: str) -> Household:
        household = Household.objects.filter(registry_id=value.strip()).first()
        if household is None:
            raise serializers.ValidationError(_("No household has this registry ID."))
        return household

    def validate(self, attrs):
        if attrs.get("product") is not None and any(attrs.get(name) for name in NEW_PRODUCT_FIELDS):
            message = _("Give either product_id or a new product's title, category, unit and description, not both.")
            raise serializers.ValidationError({"product_id": [message]})
        return attrs


class ListingChangesSerializer(StrictInputSerializer):
    price = AmountField(
        min_value=Decimal("0.01"), required=False,
        help_text="The product's one price, for every household that supplies it: only the station that "
        "pools the product (its origin township's) may change it.",
    )
    stock = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)


class ListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.CharField(source="partner.seller.household.registry_id", allow_null=True, default=None)
    product_id = serializers.IntegerField()
    product_url = serializers.SerializerMethodField()
    title = serializers.CharField(source="product.get_title")
    category = serializers.SerializerMethodField()
    unit = serializers.CharField(source="product.display_unit")
    description = serializers.CharField(source="product.display_description")
    price = AmountField(source="product.price")
    stock = serializers.IntegerField(source="num_in_stock")

    def get_product_url(self, record: StockRecord) -> str:
        return self.context["request"].build_absolute_uri(record.product.get_absolute_url())

    def get_category(self, record: StockRecord) -> str | None:
        categories = record.product.categories.all()  # prefetched
        return categories[0].slug if categories else None


class ListingList(generics.ListAPIView):
    """Listings of sellers in the caller's townships or region; station staff add new ones."""

    permission_classes = [StationStaffWrites]
    serializer_class = ListingSerializer

    def get_queryset(self):
        return with_listing_details(listings_visible(scope_for(self.request.user))).order_by("id")

    @extend_schema(
        description="List goods for a household: stock of an existing pooled product (`product_id`), "
        "or a new product (`title`, `category`, `unit`, `description`).",
        request=ListingCreateSerializer, responses={201: ListingSerializer, **CREATE_ERRORS},
    )
    def post(self, request):
        scope = scope_for(request.user)
        serializer = ListingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household")
        if not scope.can_write_township(household.township_id):
            raise OutOfScope(_("This household belongs to another township."))
        record = services.listing_create(household=household, **data)
        record = listing_for_scope(scope=scope, pk=record.pk, write=True)
        return Response(ListingSerializer(record, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ListingDetail(APIView):
    """One listing; station staff of its township change its price or stock."""

    permission_classes = [StationStaffWrites]

    @extend_schema(responses={200: ListingSerializer, **ERRORS})
    def get(self, request, pk: int):
        record = listing_for_scope(scope=scope_for(request.user), pk=pk)
        return Response(ListingSerializer(record, context={"request": request}).data)

    @extend_schema(request=ListingChangesSerializer, responses={200: ListingSerializer, **ERRORS})
    def patch(self, request, pk: int):
        scope = scope_for(request.user)
        record = listing_for_scope(scope=scope, pk=pk, write=True)
        serializer = ListingChangesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "price" in serializer.validated_data and not may_set_price(scope=scope, product=record.product):
            raise OutOfScope(_("This product's price is set by the station that pools it; you may change the stock."))
        record = services.listing_update(record=record, **serializer.validated_data)
        return Response(ListingSerializer(record, context={"request": request}).data)
