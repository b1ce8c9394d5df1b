"""Static files as production serves them: `collectstatic` with production's storage (WhiteNoise's
compressed manifest storage) writes hashed, compressed copies; templates link the hashed names,
and WhiteNoise serves them to be cached for good (a changed file gets a new name)."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, override_settings

from tests.production.outside import production_settings

pytestmark = pytest.mark.production

SITE_CSS = "css/site.css"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """STATIC_ROOT after `collectstatic` with production's static storage: the settings to serve it."""
    storages = production_settings("STORAGES")["STORAGES"]
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    static_settings = {
        "STATIC_ROOT": tmp_path_factory.mktemp("static"),
        "STORAGES": {**settings.STORAGES, "staticfiles": storages["staticfiles"]},
        # As production: only what collectstatic wrote, no finders, no looking again.
        "WHITENOISE_USE_FINDERS": False, "WHITENOISE_AUTOREFRESH": False,
    }
    with override_settings(**static_settings):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static_settings


def hashed_site_css(root) -> str:
    found = [path.name for path in (root / "css").iterdir() if re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name)]
    assert len(found) == 1, found
    return f"css/{found[0]}"


def test_collectstatic_writes_hashed_and_compressed_copies(collected):
    root = collected["STATIC_ROOT"]
    hashed = hashed_site_css(root)
    assert (root / hashed).read_bytes() == (root / SITE_CSS).read_bytes()
    assert (root / f"{hashed}.gz").exists()
    assert (root / "staticfiles.json").exists()


def test_templates_link_the_hashed_name(collected):
    with override_settings(**collected):
        url = Template("{% load static %}{% static 'css/site.css' %}").render(Context())
    assert url == f"/static/{hashed_site_css(collected['STATIC_ROOT'])}"


def test_whitenoise_serves_the_hashed_file_to_be_cached_for_good(collected):
    with override_settings(**collected):
        hashed = hashed_site_css(collected["STATIC_ROOT"])
        response = Client().get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
