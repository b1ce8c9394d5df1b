"""Oscar's catalogue, forked thin: the facts buyers of farm goods need."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractCategory, AbstractProduct, AbstractProductImage
from oscar.core.utils import slugify

from shop.core.i18n import localized


class StorageClass(models.TextChoices):
    AMBIENT = "ambient", _("Ambient")
    CHILLED = "chilled", _("Chilled (0–4 °C)")
    FROZEN = "frozen", _("Frozen (−18 °C)")


MONTH = [MinValueValidator(1), MaxValueValidator(12)]


class Category(AbstractCategory):
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    @property
    def display_name(self):
        return localized(self, "name")


class Product(AbstractProduct):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    origin = models.ForeignKey(
        "shop.Division",
        verbose_name=_("origin"),
        help_text=_("The township (or county) the goods come from."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=64, blank=True, help_text=_("e.g. 只 (1.5–2.5 kg)"))
    unit_en = models.CharField(_("unit (English)"), max_length=64, blank=True)
    net_weight_grams = models.PositiveIntegerField(_("net weight (g)"), null=True, blank=True)
    season_start_month = models.PositiveSmallIntegerField(
        _("harvest season starts (month)"), null=True, blank=True, validators=MONTH,
        help_text=_("Leave both months empty for goods available all year."),
    )
    season_end_month = models.PositiveSmallIntegerField(
        _("harvest season ends (month)"), null=True, blank=True, validators=MONTH
    )
    storage = models.CharField(
        _("storage"), max_length=16, choices=StorageClass.choices, default=StorageClass.AMBIENT
    )
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    certificate_number = models.CharField(
        _("poverty-alleviation product certificate"), max_length=64, blank=True
    )
    certificate_expires = models.DateField(_("certificate expires"), null=True, blank=True)
    gi_mark = models.CharField(
        _("geographical indication"), max_length=128, blank=True,
        help_text=_("Name of the registered geographical-indication mark, if any."),
    )

    class Meta(AbstractProduct.Meta):
        constraints = [
            models.CheckConstraint(
                name="catalogue_product_season_both_or_neither",
                condition=(
                    models.Q(season_start_month__isnull=True, season_end_month__isnull=True)
                    | models.Q(season_start_month__isnull=False, season_end_month__isnull=False)
                ),
            ),
        ]

    def save(self, *args, **kwargs):
        # Oscar slugs the displayed title, which is English under /en/: slug the Chinese one.
        if not self.slug and self.title:
            self.slug = slugify(self.title)
        super().save(*args, **kwargs)

    def get_title(self):
        title = localized(self, "title")
        if not title and self.parent_id:
            return self.parent.get_title()
        return title

    get_title.short_description = AbstractProduct.get_title.short_description

    @property
    def display_description(self):
        return localized(self, "description")

    @property
    def display_unit(self):
        return localized(self, "unit")

    @property
    def is_all_year(self):
        return self.season_start_month is None

    def in_season(self, month: int) -> bool:
        if self.is_all_year:
            return True
        start, end = self.season_start_month, self.season_end_month
        # Seasons may wrap the new year (Sep–Mar).
        return start <= month <= end if start <= end else month >= start or month <= end


class ProductImage(AbstractProductImage):
    """Adds the sized WebP renditions the storefront serves instead of the original."""

    card = models.ImageField(_("card image (WebP)"), upload_to="images/products/cards/", blank=True)
    large = models.ImageField(_("large image (WebP)"), upload_to="images/products/large/", blank=True)

    class Meta(AbstractProductImage.Meta):
        pass


from oscar.apps.catalogue.models import *  # noqa: E402,F401,F403
