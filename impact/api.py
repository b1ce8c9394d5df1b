"""A household's ledger and a region's income-uplift summary over the API (DESIGN.md, "REST API (v1)").

Who may read what is decided where the pages decide it: `logistics.access` (the household's own
station managers, officials of its region, the operator) and `impact.access.report_region`
(officials their regions, the operator everything). The figures are `impact.selectors`'."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from impact.access import may_read_reports, report_region
from impact.exports import REGION_CODE, named_breakdown
from impact.forms import report_years, year_out_of_range_message
from impact.models import EntryKind, FeeType
from impact.selectors import household_balance, household_entries, region_report
from logistics.access import ReadsRegistry, scope_for
from sellers.selectors import household_for_scope
from shop.core.api import AmountField, ErrorSerializer, Pages
from shop.core.errors import NotFound, OutOfScope
from shop.core.replicas import reads_reports
from shop.models import Division

SUMMARY_BREAKDOWNS = ("county", "township", "poverty_cause")
ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}


# --- a household's ledger -----------------------------------------------------------------------


class LedgerEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    fee_type = serializers.CharField(help_text="For fees and their reversals: " + ", ".join(FeeType.values) + "; else empty.")
    amount = AmountField(help_text="Signed: credits and fees positive, reversals and payouts negative.")
    currency = serializers.CharField()
    order_number = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class BalanceSerializer(serializers.Serializer):
    pending = AmountField()
    settled = AmountField()
    paid_out = AmountField()


class LedgerSerializer(serializers.Serializer):
    registry_id = serializers.CharField()
    count = serializers.IntegerField(help_text="Entries in all.")
    next = serializers.URLField(allow_null=True, help_text="The next page of entries.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page of entries.")
    entries = LedgerEntrySerializer(many=True)
    balance = BalanceSerializer()


class HouseholdLedger(APIView):
    """A household's ledger entries, newest first, a page at a time (`limit`, `offset`), and its
    balances."""

    permission_classes = [ReadsRegistry]
    pagination_class = Pages

    @extend_schema(
        description="The household's ledger entries (newest first; pages of `limit` entries from `offset`) and "
        "what the platform owes it: pending (paid, not yet settled), settled (payable) and paid out. For the "
        "managers of the household's own station, officials of its region and the platform operator; station "
        "clerks are refused (403).",
        parameters=[
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"entries a page (at most {Pages.max_limit})"),
            OpenApiParameter("offset", OpenApiTypes.INT, description="entries to skip"),
        ],
        responses={200: LedgerSerializer, **ERRORS},
    )
    @reads_reports
    def get(self, request, registry_id: str):
        scope = scope_for(request.user)
        household = household_for_scope(scope=scope, registry_id=registry_id)
        township = household.township_id
        if not (scope.is_operator or scope.manages(township) or scope.reads_region(township)):
            raise OutOfScope(_("Only the household's station managers and officials of its region may read its ledger."))
        paginator = self.pagination_class()
        entries = paginator.paginate_queryset(household_entries(household=household), request, view=self)
        return Response(LedgerSerializer({
            "registry_id": household.registry_id,
            "count": paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "entries": entries,
            "balance": household_balance(household=household),
        }).data)


# --- a region's summary -------------------------------------------------------------------------


class ReadsReports(permissions.BasePermission):
    """Officials and the platform operator."""

    message = _("Only officials may read the impact reports.")

    def has_permission(self, request, view):
        return may_read_reports(request.user)


class FiguresSerializer(serializers.Serializer):
    households = serializers.IntegerField()
    households_with_sales = serializers.IntegerField()
    gross_sales = AmountField()
    net_income_credited = AmountField()
    mean_per_capita_uplift = AmountField(help_text="Among households with sales.")
    median_per_capita_uplift = AmountField(help_text="Among households with sales.")
    households_crossed_line = serializers.IntegerField()
    households_below_monitoring_line = serializers.IntegerField()


class GroupFiguresSerializer(FiguresSerializer):
    code = serializers.CharField(help_text="A division code, a village's name, or a registry code.")
    name = serializers.CharField()


class SummarySerializer(FiguresSerializer):
    region = serializers.CharField(help_text="The region's division code.")
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    by_county = GroupFiguresSerializer(many=True)
    by_township = GroupFiguresSerializer(many=True)
    by_poverty_cause = GroupFiguresSerializer(many=True)


class SummaryQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        rf"^{REGION_CODE.pattern}$", required=False,
        help_text="A division code (a city, county or township); empty: the caller's own region.",
        error_messages={"invalid": _("A region is a division code of digits, e.g. 530623.")},
    )
    year = serializers.IntegerField(required=False, help_text="Empty: this year.")

    def validate_year(self, value: int) -> int:
        years = report_years()
        if value not in years:
            raise serializers.ValidationError(year_out_of_range_message(years))
        return value


class ImpactSummary(APIView):
    """A region's income uplift in a year, with its breakdowns."""

    permission_classes = [ReadsReports]

    @extend_schema(
        description="The region's households, their sales and the income credited to them in the year, the "
        "per-capita uplift, and how many crossed the poverty line or are still below the monitoring line; the "
        "same figures by county, by township and by main poverty cause (biggest net income first). For "
        "officials (their own region and the divisions inside it) and the platform operator.",
        parameters=[SummaryQuerySerializer],
        responses={200: SummarySerializer, **ERRORS},
    )
    @reads_reports
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            region = report_region(request.user, query.validated_data.get("region"))
        except Division.DoesNotExist:
            raise NotFound(_("No region has this code.")) from None
        except PermissionDenied as refusal:
            raise OutOfScope(str(refusal)) from None
        year = query.validated_data.get("year", timezone.localdate().year)
        prefix = region.code_prefix
        # The figures and the three breakdowns from one pass over the region's households.
        figures, groups = region_report(prefix=prefix, year=year, by=SUMMARY_BREAKDOWNS)
        summary = figures.as_dict() | {
            "region": region.code,
            "region_name": region.display_name,
            "year": year,
            **{f"by_{by}": named_breakdown(prefix=prefix, year=year, by=by, groups=groups[by])
               for by in SUMMARY_BREAKDOWNS},
        }
        return Response(SummarySerializer(summary).data)
