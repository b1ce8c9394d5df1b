"""Stories of households, told with their consent, as Wagtail pages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from catalogue.selectors import products_sold_by_household
from sellers.models.households import Household
from shop.core.i18n import localized


class StoryIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["shop.HomePage"]
    subpage_types = ["sellers.StoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("stories index")

    @property
    def display_title(self):
        return localized(self, "title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = (
            StoryPage.objects.live().child_of(self).select_related("household__township", "photo").order_by("-first_published_at")
        )
        return context


class StoryPage(Page):
    household = models.ForeignKey(
        "sellers.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="stories"
    )
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    summary_en = models.CharField(_("summary (English)"), max_length=200, blank=True)
    body = RichTextField(_("story"))
    body_en = RichTextField(_("story (English)"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = Page.content_panels + [
        FieldPanel("title_en"),
        FieldPanel("household"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
        FieldPanel("photo"),
    ]
    parent_page_types = ["sellers.StoryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("household story")

    @property
    def display_title(self):
        return localized(self, "title")

    @property
    def display_summary(self):
        return localized(self, "summary")

    @property
    def display_body(self):
        return localized(self, "body")

    def clean(self):
        super().clean()
        if self.household_id and self.slug and self.household.registry_id.lower() in self.slug.lower():
            raise ValidationError({"slug": _("The address must not carry the household's registry ID.")})
        if self.household_id and not self.household.consent_to_story:
            raise ValidationError(
                {"household": _("This household has not consented to having its story shown.")}
            )

    def save(self, *args, **kwargs):
        # Wagtail validates a page going live (`clean()` above) unless told not to (`clean=False`);
        # a story is never live while its household's consent is withdrawn, whichever path
        # publishes it (the editor, a revision's publish(), a scheduled publish).
        if self.live and self.household_id and not _household_consents(self.household_id):
            raise ValidationError(
                {"household": _("This household has not consented to having its story shown.")}
            )
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["products"] = products_sold_by_household(household_id=self.household_id)
        return context


def _household_consents(household_id: int) -> bool:
    """The consent on record now (not a copy the page may hold from before it was withdrawn)."""
    return Household.objects.filter(pk=household_id, consent_to_story=True).exists()
