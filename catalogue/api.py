"""Product categories over the API: what `POST /api/v1/listings/` accepts as `category`."""

from django.db.models import QuerySet
from rest_framework import generics, permissions, serializers

from catalogue.models import Category


def listing_categories() -> QuerySet[Category]:
    """The storefront's public top-level categories; their slugs are stable (see `catalogue.services.CATEGORIES`)."""
    return Category.get_root_nodes().filter(is_public=True)


class CategorySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name")


class CategoryList(generics.ListAPIView):
    """Product categories; anyone may read them (the names are in the caller's language)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = CategorySerializer

    def get_queryset(self):
        return listing_categories()
