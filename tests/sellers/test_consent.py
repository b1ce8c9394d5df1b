"""Withdrawn consent takes effect at once: a household that withdraws its consent to have its story
shown has its stories unpublished in the same change, off the story index, the home page and the
product pages (cached fragments included), and they cannot be published again until it consents."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import PageLogEntry

from catalogue.factories import ProductFactory
from sellers import services
from sellers.factories import HouseholdFactory
from sellers.models import HouseholdChange, StoryIndexPage, StoryPage
from sellers.models.audit import Channel
from shop.models import Division
from tests.personas import MIAOBA

pytestmark = pytest.mark.django_db

STORY_TITLE = "庙坝镇黄草村的杨家"


@pytest.fixture
def household(people):
    """A household of Miaoba that sells and consented to its story."""
    return HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True, consent_to_story=True)


@pytest.fixture
def story(home_page, household) -> StoryPage:
    """The household's story, published through a revision as the CMS does."""
    index = home_page.add_child(instance=StoryIndexPage(title="农户的故事", slug="stories"))
    page = index.add_child(instance=StoryPage(
        title=STORY_TITLE, slug="story-1", household=household, summary="一家四口,养乌骨鸡。",
        body="<p>山高路远。</p>", live=False,
    ))
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live
    return page


def withdraw(client, household):
    response = client.patch(f"/api/v1/households/{household.registry_id}/", {"consent_to_story": False}, format="json")
    assert response.status_code == 200, response.json()
    return response


def test_withdrawing_consent_to_the_story_unpublishes_it(as_clerk_miaoba, household, story):
    withdraw(as_clerk_miaoba, household)
    story.refresh_from_db()
    assert not story.live


def test_the_unpublishing_is_logged_with_who_withdrew_it(as_clerk_miaoba, people, household, story):
    withdraw(as_clerk_miaoba, household)
    entry = PageLogEntry.objects.filter(page=story, action="wagtail.unpublish").get()
    assert entry.user == people.clerk_miaoba


def test_the_withdrawal_records_who_and_when(as_clerk_miaoba, people, household, story):
    withdraw(as_clerk_miaoba, household)
    household.refresh_from_db()
    assert household.consent_recorded_by == people.clerk_miaoba and household.consent_recorded_at
    row = HouseholdChange.objects.get(household=household, field="consent_to_story", channel=Channel.API)
    assert (row.old_value, row.new_value, row.changed_by) == (True, False, people.clerk_miaoba)


def test_the_story_leaves_the_story_index_at_once(client, as_clerk_miaoba, household, story):
    index_url = story.get_parent().url
    assert STORY_TITLE in client.get(index_url).content.decode()
    withdraw(as_clerk_miaoba, household)
    assert STORY_TITLE not in client.get(index_url).content.decode()


def test_the_story_leaves_the_home_page_at_once(client, as_clerk_miaoba, household, story):
    assert STORY_TITLE in client.get("/").content.decode()  # and the home page's fragment is cached now
    withdraw(as_clerk_miaoba, household)
    assert STORY_TITLE not in client.get("/").content.decode()


def test_the_story_page_itself_is_gone(client, as_clerk_miaoba, household, story):
    url = story.url
    assert client.get(url).status_code == 200
    withdraw(as_clerk_miaoba, household)
    assert client.get(url).status_code == 404


def test_the_product_page_no_longer_links_the_story_at_once(client, as_clerk_miaoba, household, story):
    product = ProductFactory()
    services.stock_offer(seller=services.household_seller_ensure(household=household), product=product,
                         price=Decimal("68.00"), stock=5)
    assert story.url in client.get(product.get_absolute_url()).content.decode()  # cached now
    withdraw(as_clerk_miaoba, household)
    page = client.get(product.get_absolute_url()).content.decode()
    assert story.url not in page


def test_withdrawing_on_the_console_unpublishes_the_story_too(signed_in, people, household, story):
    url = reverse("station:household-edit", args=[household.registry_id])
    form = signed_in(people.clerk_miaoba).get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if name in form.fields and value not in ("", None)}
    data.pop("consent_to_story")  # the box unticked
    response = signed_in(people.clerk_miaoba).post(url, data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live


def test_republishing_is_refused_while_consent_is_withdrawn(as_clerk_miaoba, household, story):
    withdraw(as_clerk_miaoba, household)
    story.refresh_from_db()
    with pytest.raises(ValidationError):
        story.latest_revision.publish()
    story.refresh_from_db()
    assert not story.live


def test_a_story_cannot_be_put_live_by_saving_without_validation_either(as_clerk_miaoba, household, story):
    withdraw(as_clerk_miaoba, household)
    story.refresh_from_db()
    story.live = True
    with pytest.raises(ValidationError):
        story.save(clean=False)
    assert not StoryPage.objects.get(pk=story.pk).live


def test_the_cms_refuses_to_publish_it_while_consent_is_withdrawn(client, as_clerk_miaoba, household, story):
    from shop.factories import UserFactory

    withdraw(as_clerk_miaoba, household)
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    story.refresh_from_db()
    body = ('{"blocks": [{"key": "a", "type": "unstyled", "text": "山高路远。", "depth": 0, '
            '"inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}')
    response = client.post(reverse("wagtailadmin_pages:edit", args=[story.pk]), {
        "title": story.title, "slug": story.slug, "household": household.pk, "summary": story.summary,
        "body": body, "body_en": body, "title_en": "", "summary_en": "", "action-publish": "action-publish",
    })
    assert "该户未同意展示家庭故事" in response.content.decode()
    assert not StoryPage.objects.get(pk=story.pk).live


def test_the_story_may_be_published_again_once_the_household_consents_again(as_clerk_miaoba, household, story):
    withdraw(as_clerk_miaoba, household)
    as_clerk_miaoba.patch(f"/api/v1/households/{household.registry_id}/", {"consent_to_story": True}, format="json")
    story.refresh_from_db()
    story.latest_revision.publish()
    story.refresh_from_db()
    assert story.live


def test_withdrawing_consent_to_sell_alone_leaves_the_story_up(as_clerk_miaoba, household, story):
    as_clerk_miaoba.patch(f"/api/v1/households/{household.registry_id}/", {"consent_to_sell": False}, format="json")
    story.refresh_from_db()
    assert story.live


def test_another_households_story_stays_up(as_clerk_miaoba, household, story):
    other = HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_story=True)
    other_story = story.get_parent().add_child(instance=StoryPage(
        title="另一家", slug="story-2", household=other, summary="另一家的故事。", body="<p>另一家。</p>",
    ))
    withdraw(as_clerk_miaoba, household)
    other_story.refresh_from_db()
    assert other_story.live
