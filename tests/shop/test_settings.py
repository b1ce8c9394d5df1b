from django.conf import settings

# The production settings' refusals and deploy check: tests/shop/test_production_settings.py.


def test_chinese_is_the_default_language_and_money_is_cny():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.OSCAR_DEFAULT_CURRENCY == "CNY"
    assert settings.TIME_ZONE == "Asia/Shanghai"
