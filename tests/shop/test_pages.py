import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from sellers.masking import mask_name


@pytest.mark.django_db
def test_the_home_page_is_chinese_by_default(client, home_page):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "购物车" in page and "乌蒙山里的好东西" in page


@pytest.mark.django_db
def test_the_home_page_is_english_under_en(client, home_page):
    page = client.get("/en/").content.decode()
    assert '<html lang="en">' in page
    assert "Cart" in page and "Good things from the Wumeng mountains" in page


@pytest.mark.django_db
def test_the_language_switcher_links_to_the_same_page_in_the_other_language(client, home_page, chicken):
    page = client.get(chicken.get_absolute_url()).content.decode()
    assert f'href="/en{chicken.get_absolute_url()}"' in page


@pytest.mark.django_db
def test_the_home_page_shows_featured_products(client, home_page, chicken):
    home_page.featured_products.model.objects.create(page=home_page, product=chicken, sort_order=0)
    page = client.get("/").content.decode()
    assert "当季推荐" in page and "盐津乌骨鸡(整只冷鲜)" in page


@pytest.mark.django_db
def test_pages_load_no_assets_from_other_sites(client, home_page, chicken):
    for url in ["/", chicken.get_absolute_url(), "/catalogue/", "/basket/"]:
        page = client.get(url).content.decode()
        assert "src=\"http" not in page and "href=\"http" not in page.replace('href="http://testserver', "")


def test_every_message_has_a_chinese_translation():
    with open(settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert untranslated == []


def test_names_are_masked_to_the_family_name():
    assert mask_name("杨秀英") == "杨**"
    assert mask_name("龙") == "龙*"


@pytest.mark.django_db
def test_the_operator_opens_oscars_dashboard_and_wagtails_admin(client, home_page):
    from shop.factories import UserFactory

    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/cms/").status_code == 200
    assert client.get(f"/cms/pages/{home_page.pk}/edit/").status_code == 200
