"""Oscar's catalogue, forked thin: the facts buyers of farm goods need."""

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractCategory, AbstractProduct, AbstractProductImage
from oscar.core.utils import slugify

from shop.core.i18n import localized
from shop.core.money import Currency
from shop.models import DivisionLevel


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
    gi_area = models.ForeignKey(
        "shop.Division", verbose_name=_("geographical-indication area"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Where goods under the mark may come from (a county or township)."),
    )
    # One price for the buyer, whichever household fills the order: set by the station that pools
    # the product (its origin township's) or by the operator; every stock record carries it too.
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    price_currency = models.CharField(_("currency"), max_length=3, default=Currency.CNY)

    class Meta(AbstractProduct.Meta):
        constraints = [
            models.CheckConstraint(
                name="catalogue_product_price_positive", condition=models.Q(price__isnull=True) | models.Q(price__gt=0)
            ),
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

    def get_all_images(self):
        """Only approved photos, wherever Oscar shows a product's picture (basket, dashboard lists)."""
        return [image for image in super().get_all_images() if image.is_approved]

    def primary_image(self):
        images = self.get_all_images()
        if images:
            return images[0]
        try:
            missing = self.get_missing_image()
        except ImproperlyConfigured:
            # Oscar links its placeholder into the media folder on first use; when two requests
            # try at once, the second fails because the link is already there. Asking again finds
            # it (and still fails if the folder really cannot take it).
            missing = self.get_missing_image()
        return {"original": missing.name, "caption": "", "is_missing": True}

    @property
    def display_description(self):
        return localized(self, "description")

    @property
    def display_unit(self):
        return localized(self, "unit")

    @property
    def supply_area(self):
        """The division whose households may supply this product: its geographical-indication
        area where it carries a mark, else its origin's county (None: anywhere)."""
        if self.gi_mark and self.gi_area_id:
            return self.gi_area
        if self.origin_id and self.origin.level == DivisionLevel.TOWNSHIP:
            return self.origin.parent
        return self.origin

    def may_be_supplied_from(self, township) -> bool:
        area = self.supply_area
        return area is None or township.code.startswith(area.code_prefix)

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
    """Adds the sized WebP renditions the storefront serves instead of the original, and review:
    a station's photo of its household's goods for a product others supply too belongs to its own
    listing, and shows on the shared product page only once the operator has approved it."""

    card = models.ImageField(_("card image (WebP)"), upload_to="images/products/cards/", blank=True)
    large = models.ImageField(_("large image (WebP)"), upload_to="images/products/large/", blank=True)
    listing = models.ForeignKey(
        "partner.StockRecord", verbose_name=_("listing"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="photos", help_text=_("The household's listing this photo was taken for."),
    )
    is_approved = models.BooleanField(
        _("approved for the product page"), default=True,
        help_text=_("Photos sent by a station for a product other households supply too wait for review."),
    )

    class Meta(AbstractProductImage.Meta):
        pass


from oscar.apps.catalogue.models import *  # noqa: E402,F401,F403
