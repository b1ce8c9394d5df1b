"""A correction of a household's settled balance by the platform operator: the one ledger entry
no payment, delivery or refund causes, so it carries its reason and who approved it.

    python manage.py impact_adjust 5306231050001 -12.50 --reason "运费重复扣除，退回" --approved-by admin

`--key` makes a retry harmless: the same key writes the adjustment once."""

import uuid
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from impact.services import adjustment_record
from sellers.models import Household
from shop.core.errors import InvalidInput
from shop.models import User


class Command(BaseCommand):
    help = "Record an adjustment of a household's settled balance, with a reason and the approving operator."

    def add_arguments(self, parser):
        parser.add_argument("registry_id")
        parser.add_argument("amount", help="yuan, to the fen; negative takes money back")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--approved-by", required=True, help="the username of a platform operator (staff)")
        parser.add_argument("--key", help="an idempotency key (default: a new one each run)")

    def handle(self, *args, registry_id, amount, reason, approved_by, key, **options):
        household = Household.objects.filter(registry_id=registry_id).first()
        if household is None:
            raise CommandError(f"No household has the registry ID {registry_id}.")
        approver = User.objects.filter(username=approved_by, is_active=True).first()
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise CommandError(f"{amount!r} is not an amount in yuan.") from None
        key = key or uuid.uuid4().hex
        try:
            entry = adjustment_record(household=household, amount=value, reason=reason, approved_by=approver, key=key)
        except InvalidInput as refused:
            details = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in refused.fields.items())
            raise CommandError(f"{refused.message} {details}") from None
        self.stdout.write(f"Adjustment {entry.amount} CNY for {registry_id} (key {key}).")
