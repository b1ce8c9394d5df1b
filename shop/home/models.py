from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from catalogue.caching import cached_fragment
from shop.core.i18n import localized
from shop.home import cms_images  # noqa: F401  (strips the metadata of every picture uploaded to the CMS)
from shop.home.selectors import home_page_sections


class HomePage(Page):
    """The storefront's front door: featured products, households' stories, stations."""

    hero_title = models.CharField(_("headline"), max_length=120, blank=True)
    hero_title_en = models.CharField(_("headline (English)"), max_length=120, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_title_en"), FieldPanel("intro"), FieldPanel("intro_en")],
            heading=_("Headline"),
        ),
        InlinePanel("featured_products", label=_("Featured products"), max_num=12),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    @property
    def headline(self):
        return localized(self, "hero_title") or self.title

    @property
    def display_intro(self):
        return localized(self, "intro")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections_html"] = cached_fragment(
            "home", self.pk, self.latest_revision_id,
            build=lambda: render_to_string("shop/_home_sections.html", {"page": self, **home_page_sections(page=self)}),
        )
        return context


class HomePageFeaturedProduct(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_products")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )

    panels = [FieldPanel("product")]
