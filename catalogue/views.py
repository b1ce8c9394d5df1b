"""Storefront views over the database, replacing Oscar's Haystack-backed browse
and category pages (empty with the simple backend, and N+1 with any).

The expensive part of each page (the product grid, the product's facts and
sellers) is rendered once per catalogue version and language and then served
from the cache; the header, the basket and the forms are rendered live. The
listings, the same for every visitor who is not signed in and has no basket,
are served to those visitors whole from the cache (catalogue/page_cache.py)."""

from urllib.parse import unquote

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from catalogue import selectors
from catalogue.caching import cached_fragment
from catalogue.models import Category, Product
from catalogue.page_cache import cache_for_stateless_visitors
from catalogue.pricing import offer_for


# A listing only reads, and reads what a transaction would not make more consistent (its page is
# rendered after the view returns, outside ATOMIC_REQUESTS' transaction anyway): without one, a
# page served from the cache opens no database connection at all.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
@method_decorator(cache_for_stateless_visitors, name="dispatch")
class ProductListView(TemplateView):
    """A paginated grid of product cards."""

    template_name = "catalogue/browse.html"
    per_page = settings.OSCAR_PRODUCTS_PER_PAGE

    def get_products(self):
        return selectors.public_products()

    def listing_key(self) -> tuple:
        return (self.request.path,)

    def build_listing(self, page_number: str) -> dict:
        products = selectors.product_cards(selectors.in_stock_first(self.get_products()))
        paginator = Paginator(products, self.per_page)
        page = paginator.get_page(page_number)
        html = render_to_string(
            "catalogue/_listing.html", {"products": page.object_list, "page_obj": page, **self.listing_context()}
        )
        return {"html": html, "count": paginator.count}

    def listing_context(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        page_number = self.request.GET.get("page", "1")[:6]
        listing = cached_fragment(
            "listing", *self.listing_key(), page_number, build=lambda: self.build_listing(page_number)
        )
        return super().get_context_data(listing=listing, **self.listing_context(), **kwargs)


class CatalogueView(ProductListView):
    def listing_context(self):
        return {"heading": _("All products")}


class ProductCategoryView(ProductListView):
    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"], is_public=True)
        if request.path != unquote(self.category.get_absolute_url()):
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_products(self):
        return selectors.products_in_category(category=self.category)

    def listing_context(self):
        return {"heading": self.category.display_name, "category": self.category}


class ProductSearchView(ProductListView):
    template_name = "catalogue/search.html"

    def get(self, request, *args, **kwargs):
        self.query = request.GET.get("q", "").strip()[:100]
        return super().get(request, *args, **kwargs)

    def listing_key(self):
        return (self.request.path, self.query)

    def get_products(self):
        if not self.query:
            return Product.objects.none()
        return selectors.products_matching(query=self.query)

    def listing_context(self):
        return {"query": self.query}


class ProductDetailView(TemplateView):
    template_name = "catalogue/product_detail.html"

    def get(self, request, *args, **kwargs):
        self.page = cached_fragment("product", kwargs["pk"], build=lambda: self.build_page(kwargs["pk"]))
        if self.page is False:
            raise Http404(_("No such product."))
        if request.path != unquote(self.page["url"]):
            return HttpResponsePermanentRedirect(self.page["url"])
        return super().get(request, *args, **kwargs)

    def build_page(self, pk: int) -> dict | bool:
        """Everything the page shows of the product, rendered; False for an unknown product."""
        try:
            product = selectors.product_for_detail(pk=pk)
        except Product.DoesNotExist:
            return False
        offer = offer_for(product)
        context = {"product": product, "offer": offer}
        return {
            "pk": product.pk,
            "url": product.get_absolute_url(),
            "title": product.get_title(),
            "description": product.display_description,
            "in_stock": offer.in_stock,
            "summary_html": render_to_string("catalogue/_product_summary.html", context),
            "details_html": render_to_string("catalogue/_product_details.html", context),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, **kwargs)
