"""Storefront views over the database, replacing Oscar's Haystack-backed browse
and category pages (empty with the simple backend, and N+1 with any)."""

from urllib.parse import unquote

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from catalogue import selectors
from catalogue.models import Category, Product
from sellers.selectors import sellers_of_product


class ProductListView(ListView):
    """A paginated grid of product cards."""

    template_name = "catalogue/browse.html"
    context_object_name = "products"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE

    def get_products(self):
        return selectors.public_products()

    def get_queryset(self):
        return selectors.product_cards(self.get_products().order_by("-priority", "-date_created", "id"))


class CatalogueView(ProductListView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("All products"), **kwargs)


class ProductCategoryView(ProductListView):
    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"], is_public=True)
        if request.path != unquote(self.category.get_absolute_url()):
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_products(self):
        return selectors.products_in_category(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.display_name, category=self.category, **kwargs
        )


class ProductSearchView(ProductListView):
    template_name = "catalogue/search.html"

    def get(self, request, *args, **kwargs):
        self.query = request.GET.get("q", "").strip()[:100]
        return super().get(request, *args, **kwargs)

    def get_products(self):
        if not self.query:
            return Product.objects.none()
        return selectors.products_matching(query=self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


class ProductDetailView(TemplateView):
    template_name = "catalogue/product_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            self.product = selectors.product_for_detail(pk=kwargs["pk"])
        except Product.DoesNotExist:
            raise Http404(_("No such product."))
        if request.path != unquote(self.product.get_absolute_url()):
            return HttpResponsePermanentRedirect(self.product.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            product=self.product, sellers=sellers_of_product(product=self.product), **kwargs
        )
