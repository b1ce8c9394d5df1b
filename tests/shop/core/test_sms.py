"""The SMS backends: kept in memory for the tests, shown on the console for the demo, and posted
to the provider, which is faked only at the network edge (a real HTTP server on 127.0.0.1)."""

import logging
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from shop.core.sms import SmsError, mainland_mobile, send_sms
from tests.sms_provider import TOKEN, local_provider


@pytest.fixture
def provider(settings):
    with local_provider(settings) as provider:
        yield provider


def test_it_keeps_texts_in_the_outbox_under_the_locmem_backend(sms_outbox):
    send_sms("13800000000", "乌蒙优选：测试")

    assert sms_outbox == [("13800000000", "乌蒙优选：测试")]


def test_it_shows_texts_on_the_console_and_in_the_log(settings, capsys, caplog):
    settings.SMS_BACKEND = "shop.core.sms.ConsoleBackend"

    with caplog.at_level(logging.INFO, logger="wumeng.sms"):
        send_sms("13800000000", "乌蒙优选：测试")

    assert "SMS to 13800000000: 乌蒙优选：测试" in capsys.readouterr().out
    assert "乌蒙优选：测试" in caplog.text


def test_it_posts_json_with_the_bearer_token_to_the_provider(provider):
    send_sms("13800000000", "乌蒙优选：您的盐津乌骨鸡卖出 2 只")

    (request,) = provider.received
    assert request.path == "/v1/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body == {"to": "13800000000", "text": "乌蒙优选：您的盐津乌骨鸡卖出 2 只", "sign": "乌蒙优选"}


def test_it_raises_a_clear_error_when_the_provider_answers_500(provider):
    provider.answer["status"] = 500

    with pytest.raises(SmsError) as raised:
        send_sms("13800000000", "乌蒙优选：测试")

    assert "HTTP 500" in raised.value.message and "quota exceeded" in raised.value.message
    assert TOKEN not in raised.value.message


def test_it_does_not_follow_a_redirect_with_the_token(provider):
    provider.answer.update(status=302, headers={"Location": f"{provider.base}/elsewhere"})

    with pytest.raises(SmsError, match="HTTP 302"):
        send_sms("13800000000", "乌蒙优选：测试")

    assert [request.path for request in provider.received] == ["/v1/messages"]


def test_it_raises_a_clear_error_when_the_provider_cannot_be_reached(settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.SMS_BACKEND = "shop.core.sms.HttpBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = f"http://127.0.0.1:{port}/", TOKEN

    with pytest.raises(SmsError, match="cannot be reached"):
        send_sms("13800000000", "乌蒙优选：测试")


def test_it_refuses_to_send_through_a_provider_without_its_address(settings):
    settings.SMS_BACKEND = "shop.core.sms.HttpBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = "", TOKEN

    with pytest.raises(ImproperlyConfigured):
        send_sms("13800000000", "乌蒙优选：测试")


@pytest.mark.parametrize("phone", ["", "0870-1234567", "1380000000", "138000000001", "23800000000", "12000000000"])
def test_it_skips_and_logs_a_number_that_is_not_a_mainland_mobile(sms_outbox, caplog, phone):
    with caplog.at_level(logging.WARNING, logger="wumeng.sms"):
        send_sms(phone, "乌蒙优选：测试")

    assert sms_outbox == []
    assert "not a mainland mobile" in caplog.text


@pytest.mark.parametrize("phone", ["138 0000 0000", "138-0000-0000", "+8613800000000", "+86 138 0000 0000"])
def test_it_reads_a_mobile_number_written_with_spaces_dashes_or_the_country_code(sms_outbox, phone):
    send_sms(phone, "乌蒙优选：测试")

    assert mainland_mobile(phone) == "13800000000"
    assert sms_outbox == [("13800000000", "乌蒙优选：测试")]
