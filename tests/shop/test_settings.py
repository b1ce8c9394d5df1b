import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_IMPORT = "import shop.settings.production"


def _import_production(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c", PRODUCTION_IMPORT], env={**clean, **env}, capture_output=True, text=True,
        cwd=settings.BASE_DIR,
    )


def test_it_refuses_to_start_production_without_secret_key():
    result = _import_production()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_production_secret_key():
    result = _import_production(SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_it_starts_production_with_a_proper_secret_key():
    result = _import_production(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_chinese_is_the_default_language_and_money_is_cny():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.OSCAR_DEFAULT_CURRENCY == "CNY"
    assert settings.TIME_ZONE == "Asia/Shanghai"
