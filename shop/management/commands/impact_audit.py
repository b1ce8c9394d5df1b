"""`manage.py impact_audit [--year 2026]`: the fund-flow audit. Exits 1 and names each
discrepancy (the order number or household registry id it concerns) when the money received,
the ledger and its running totals disagree anywhere; 0 when they agree to the fen.

Here, in the site layer, because it reads both sides: the orders' payments (commerce,
`shop.order.audit`) and the ledger (`impact.audit`)."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from impact.audit import ledger_counts, ledger_discrepancies
from shop.order.audit import order_money_discrepancies


class Command(BaseCommand):
    help = (
        "Prove that, for every order, money received = household credits + fees + refunds, and that every "
        "ledger balance and income total equals the sum of its entries. Exits 1 on any discrepancy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="Only orders placed, and income credited, in this year (China time). "
            "Balances are always checked whole.",
        )

    def handle(self, *args, year=None, **options):
        discrepancies, orders = order_money_discrepancies(year=year)
        discrepancies += ledger_discrepancies(year=year)
        counts = ledger_counts(year=year)
        self.stdout.write(_(
            "Fund-flow audit%(year)s: %(orders)s orders, %(entries)s ledger entries, %(households)s households checked."
        ) % {"year": f" {year}" if year else "", "orders": orders, **counts})
        for discrepancy in discrepancies:
            self.stdout.write(str(discrepancy))
        if discrepancies:
            count = len(discrepancies)
            self.stdout.write(self.style.ERROR(
                ngettext("%(count)s discrepancy.", "%(count)s discrepancies.", count) % {"count": count}
            ))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(_("No discrepancy: every fen is accounted for.")))
