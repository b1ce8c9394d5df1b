"""What a household is told when its money reaches its bank account: one text per line of a
paid batch, with the amount, the last digits of the account and the day.

Chinese only, short, like the other texts to farmers (`shop.order.notifications`), and sent
the same way (`logistics.notifications.farmer_sms`). `impact.tasks` calls this from Celery once
the batch has been marked paid and committed; it returns False when a text could not be sent,
and the task is then retried whole (a household may get its text twice)."""

from django.conf import settings
from django.utils import timezone

from impact.models import PayoutBatch, PayoutStatus
from logistics.notifications import farmer_sms


def payout_text(*, amount, bank_account: str, day) -> str:
    """"乌蒙优选：货款 ¥128.00 已于 2026年6月15日 转入您尾号 1234 的银行账户。"."""
    return (
        f"{settings.SMS_SIGN_NAME}：货款 ¥{amount} 已于 {day.year}年{day.month}月{day.day}日 "
        f"转入您尾号 {bank_account[-4:]} 的银行账户。"
    )


def payout_batch_sms(*, batch_id: int) -> bool:
    """Text each household of a paid batch what was paid into its account. Nothing for a batch
    that is gone or not paid (the task ran late or twice)."""
    batch = PayoutBatch.objects.filter(pk=batch_id, status=PayoutStatus.PAID).first()
    if batch is None:
        return True
    day = timezone.localtime(batch.paid_at).date()
    sent = True
    for line in batch.lines.select_related("household").order_by("id"):
        sent &= farmer_sms(line.household, payout_text(amount=line.amount, bank_account=line.bank_account, day=day))
    return sent
