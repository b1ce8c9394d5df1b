from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from logistics.carriers.aggregator.views import webhook as aggregator_webhook
from shop.accounts import SignOutView
from shop.health import healthz, readyz
from shop.order import views as refund_views
from shop.trace import trace

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("django-admin/", admin.site.urls),
    path("api/", include("shop.api.urls")),
    # Stripe posts here: outside the language prefixes, one address for every language.
    path("payments/", include("shop.payments.urls")),
    # The courier aggregator posts tracking updates here, likewise.
    path("logistics/carriers/aggregator/webhook/", aggregator_webhook, name="carrier-aggregator-webhook"),
    # Probes for load balancers and orchestrators (shop/health.py): no language prefix, and no
    # trailing slash, so production's SECURE_REDIRECT_EXEMPT matches them as "^healthz$", "^readyz$".
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Local media (the embedded default); on S3 the bucket serves it.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

# Chinese at "/", English at "/en/": the language is in the URL, so pages cache cleanly.
urlpatterns += i18n_patterns(
    path("station/payouts/", include("impact.console_urls")),
    path("station/", include("sellers.console.urls")),
    path("impact/", include("impact.urls")),
    path("dashboard/refunds/<str:number>/", refund_views.refund, name="order-refund"),
    path("dashboard/impact/", include("impact.dashboard.urls")),
    # Before Oscar's own: the same address (customer:logout), but signing out takes a POST.
    path("accounts/logout/", SignOutView.as_view(), name="sign-out"),
    path("trace/<str:code>/", trace, name="trace"),
    path("", include(apps.get_app_config("oscar").urls[0])),
    # Wagtail's catch-all stays last.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
