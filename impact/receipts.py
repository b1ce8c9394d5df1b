"""The buyer's impact receipt: how much of an order went to which households, and where.

Read from the ledger (an order's `sale_pending` credits less the reversals of its refunds), so
the receipt is what the households were actually credited, to the fen. A household is named
only by its story, told with its consent (the rule of the public trace page, `shop.trace`);
otherwise it is "a household of <township>". A cooperative's part that no benefit link passes
on is shown under the cooperative's name. Nothing else of a household reaches the buyer.

Before the payment arrives (a Stripe order waits for its webhook) the ledger holds nothing:
`lines_receipt_forecast` then says what *will* go to the households, by the same fee rules
and shares (`impact.fees.price_breakdown`), for the order confirmation e-mail."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, Sum, prefetch_related_objects
from django.utils.translation import gettext as _

from impact.fees import fee_rules, price_breakdown
from impact.models import ZERO, EntryKind, LedgerEntry
from sellers.models import BenefitLink, Household, Seller
from sellers.selectors import told_stories
from shop.core.money import round_to_fen


def order_impact(*, order_id: int) -> list[dict]:
    """[{"name", "township", "amount", "story_url", "household"}] for each household (by its
    story name) and cooperative credited for the order, largest amount first; parties whose
    credit was refunded whole are left out. Three or four queries, whatever the order's size."""
    credited = (
        # A credit's reversal carries no fee type; a reversed fee or delivery charge does.
        LedgerEntry.objects.filter(order_id=order_id, fee_type="", kind__in=[EntryKind.SALE_PENDING, EntryKind.REVERSAL])
        .values_list("household_id", "seller_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    households: dict[int, Decimal] = defaultdict(Decimal)
    cooperatives: dict[int, Decimal] = defaultdict(Decimal)
    for household_id, seller_id, total in credited:
        total = round_to_fen(total)  # SQLite sums decimals with more places than it stores
        if household_id is not None:
            households[household_id] += total
        elif seller_id is not None:
            cooperatives[seller_id] += total
    return _named(households, cooperatives)


def lines_receipt_forecast(*, lines) -> list[dict]:
    """What will be credited for these order lines once the order is paid, in the shape of
    `order_impact`: each line's price less its fees, shared as the ledger will share it."""
    lines = [line for line in lines if line.stockrecord_id and line.product_id]
    # What each line's breakdown reads, in a few queries rather than a few per line.
    prefetch_related_objects(
        lines, "product__categories",
        Prefetch("stockrecord__partner__seller__benefit_links", queryset=BenefitLink.objects.order_by("household_id")),
    )
    rules = fee_rules()
    households: dict[int, Decimal] = defaultdict(Decimal)
    cooperatives: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        breakdown = price_breakdown(
            product=line.product, stockrecord=line.stockrecord, price=line.unit_price_incl_tax,
            quantity=line.quantity, rules=rules,
        )
        if breakdown is None:
            continue
        seller = line.stockrecord.partner.seller
        for household_id, amount in breakdown["shares"]:
            if household_id is not None:
                households[household_id] += amount
            else:
                cooperatives[seller.pk] += amount
    return _named(households, cooperatives)


def receipt_summary(rows: list[dict], *, forecast: bool = False) -> dict:
    """The receipt's headline: what went to households, how many, and the place they share
    (their township, else their county, else none), beside the cooperatives' part."""
    household_rows = [r for r in rows if r["household"]]
    townships = {r["township_division"].pk: r["township_division"] for r in household_rows}
    counties = {t.parent_id for t in townships.values()}
    if len(townships) == 1:
        place = next(iter(townships.values())).display_name
    elif len(counties) == 1 and townships:
        place = next(iter(townships.values())).parent.display_name
    else:
        place = ""
    return {
        "rows": rows,
        "to_households": sum((r["amount"] for r in household_rows), ZERO),
        "to_cooperatives": sum((r["amount"] for r in rows if not r["household"]), ZERO),
        "households": len(household_rows),
        "place": place,
        "forecast": forecast,
    }


def _named(households: dict[int, Decimal], cooperatives: dict[int, Decimal]) -> list[dict]:
    """The rows of a receipt, each party named as the buyer may see it."""
    households = {pk: amount for pk, amount in households.items() if amount > ZERO}
    cooperatives = {pk: amount for pk, amount in cooperatives.items() if amount > ZERO}
    rows = []
    if households:
        found = list(Household.objects.filter(pk__in=households).select_related("township__parent"))
        stories = told_stories(h.pk for h in found if h.consent_to_story)
        for household in found:
            story = stories.get(household.pk)
            township = household.township
            rows.append({
                "name": story.display_title if story else _("a household of %(township)s") % {
                    "township": township.display_name},
                "township": township.display_name,
                "township_division": township,
                "amount": households[household.pk],
                "story_url": story.url if story else None,
                "household": True,
            })
    if cooperatives:
        for seller in Seller.objects.filter(pk__in=cooperatives).select_related("partner", "township__parent"):
            rows.append({
                "name": seller.partner.name,
                "township": seller.township.display_name,
                "township_division": seller.township,
                "amount": cooperatives[seller.pk],
                "story_url": None,
                "household": False,
            })
    return sorted(rows, key=lambda r: (not r["household"], -r["amount"], r["name"]))
