"""Income for the report tests: a household credited the quick way (the ledger's own service, as
at payment, without an order), and thousands of households written in one statement."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from impact.fees import SaleFacts
from impact.services import Sale, sales_credit
from sellers import idnumbers
from sellers.models import Household
from sellers.services import household_seller_ensure
from shop.models import Division


def credited(household, gross: str, *, at=None) -> None:
    """A sale of `gross` yuan credited to the household, fees by the rules. Without an order, so
    once per household (the entry's key is the household's)."""
    facts = SaleFacts(category_ids=frozenset(), station_id=None, certified=False, quantity=1, gross=Decimal(gross))
    sale = Sale(order_id=None, order_line_id=None, seller=household_seller_ensure(household=household), facts=facts)
    with transaction.atomic():
        sales_credit(sales=[sale], at=at)


def households_bulk(count: int, *, township: str, prefix: str = "BULK") -> None:
    """`count` households of a township in one INSERT (no audit trail, no members: the exports
    read only the households' own row)."""
    division = Division.objects.get(code=township)
    id_number = idnumbers.make(county_code=township[:6], birth=date(1970, 1, 1), sequence=901)
    Household.objects.bulk_create(
        [
            Household(
                registry_id=f"{prefix}{n:06d}", township=division, village="黄草村", head_name="杨秀英",
                id_number=id_number, members=3, poverty_cause="03", attribute="01", poverty_status="0",
                baseline_income_per_capita=Decimal("2300.00"), identified_year=2015, phone="13800001234",
                bank_account="6217000011112222",
            )
            for n in range(count)
        ],
        batch_size=500,
    )
