"""A mail server that is down when the buyer pays: the order stands, paid; only the e-mail is lost
(and logged)."""

from smtplib import SMTPException

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from shop.factories import UserFactory
from shop.order.models import Order
from shop.order.statuses import OrderStatus
from tests.shopping import checkout_two_units, offer

pytestmark = pytest.mark.django_db


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("connection refused")


def test_an_order_paid_while_the_mail_server_is_down_stands(client, pooled, settings, caplog,
                                                            django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.shop.checkout.test_mail_outage.MailServerDown"
    offer(pooled, stock=5, price="128.00")
    client.force_login(UserFactory(username="buyer"))

    with django_capture_on_commit_callbacks(execute=True):
        response = checkout_two_units(client, pooled)

    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    assert Order.objects.get().status == OrderStatus.PAID
    assert "could not be sent" in caplog.text
