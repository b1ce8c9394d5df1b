"""Settings shared by every environment; values come from the environment.

The embedded default (SQLite, local media, local-memory cache, inline tasks)
needs no variables at all; production swaps each part through env vars only.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from oscar import defaults as oscar_defaults
from oscar.defaults import *  # noqa: F401,F403  (Oscar's OSCAR_* defaults)

from impact.dashboard.access import operator_access
from logistics.states import State as ShipmentState
from shop.core.money import Currency
from shop.order.statuses import PIPELINE as ORDER_STATUS_PIPELINE
from shop.order.statuses import OrderStatus

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    # Our apps first so their templates and static override the libraries'.
    "shop.apps.ShopConfig",
    "sellers.apps.SellersConfig",
    "logistics.apps.LogisticsConfig",
    "impact.apps.ImpactConfig",
    "shop.payments.apps.PaymentsConfig",
    # Oscar, with our thin catalogue fork in place of its own.
    "shop.apps.OscarShopConfig",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "sellers.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "storages",
    "sorl.thumbnail",  # Oscar's basket and dashboard thumbnails
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the site itself, not a CDN
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Oscar's, reading the basket in fewer queries (shop/basket/middleware.py).
    "shop.basket.middleware.BasketMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the lockout page (shop/accounts.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shop.urls"
# Our forks of Oscar's partner, order and shipping apps change no model: they keep Oscar's own
# migrations rather than copies that could drift from the installed Oscar. (The catalogue fork
# adds farm facts, so it has its own; a test checks its copies of Oscar's still match.)
MIGRATION_MODULES = {
    "partner": "oscar.apps.partner.migrations",
    "order": "oscar.apps.order.migrations",
    "shipping": "oscar.apps.shipping.migrations",
}
WSGI_APPLICATION = "shop.wsgi.application"
AUTH_USER_MODEL = "shop.User"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.core.context_processors.metadata",
                "shop.context_processors.site_navigation",
            ],
        },
    },
]

DATABASES = {
    # An empty DATABASE_URL (as in .env.example) means the embedded default too.
    "default": env.db_url_config(env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# The embedded default serves several buyers at once. SQLite allows one writer: a request's
# transaction that starts as a reader (DEFERRED) and then writes cannot upgrade its lock while
# another writes, and fails at once with "database is locked". So transactions take the write
# lock when they begin (IMMEDIATE), waiting up to 20 s for it. With ATOMIC_REQUESTS every
# request is such a transaction, so requests take turns: slower, never wrong (production runs
# PostgreSQL). WAL lets what runs outside a transaction (commands, the bench) read meanwhile.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Officials' reports and exports may read from a PostgreSQL streaming replica of DATABASE_URL
# (shop/core/replicas.py): a city's report then sums its households away from buyers' checkouts.
# Everything else reads and writes the primary.
DATABASE_ROUTERS = ["shop.core.replicas.ReportsReplicaRouter"]
REPORTS_DATABASE_URL = env("REPORTS_DATABASE_URL", default="")
REPORTS_FROM_REPLICA = bool(REPORTS_DATABASE_URL)
if REPORTS_FROM_REPLICA:
    DATABASES["reports"] = {
        **env.db_url_config(REPORTS_DATABASE_URL),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
    }

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions are written to the database and read through the shared cache: whichever app
    # server the load balancer picks finds the buyer's sign-in, in one Redis read. Not the cache
    # alone: a Redis restart or eviction would sign everyone out. Not with a per-process cache:
    # another process would read its own stale copy.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (storefront, consoles, dashboards, admins, API token) while
    # the name is locked out, before any password is checked (django-axes' backend).
    "shop.accounts.SignInThrottle",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"


def count(name: str, *, default: int, least: int) -> int:
    """A whole number from the environment; empty (as in .env.example) means the default."""
    value = env.int(name) if env(name, default="") else default
    if value < least:
        raise ImproperlyConfigured(f"{name} must be at least {least}, not {value}.")
    return value


# Sign-in throttling (django-axes), the same for every settings module. After AXES_FAILURE_LIMIT
# wrong passwords for one name from one address, that name is refused from that address for
# AXES_COOLOFF_TIME, the right password included; tries meanwhile do not extend it. Locked by
# name and address together, not by address alone: a township station's clerks and a village's
# buyers share one address behind the carrier's NAT, and one person's typos (or one attacker)
# must not lock them all out; nor by name alone, or anyone could lock a clerk out of the
# console by typing her name wrong from anywhere.
AXES_FAILURE_LIMIT = count("AXES_FAILURE_LIMIT", default=5, least=1)
AXES_COOLOFF_TIME = timedelta(minutes=count("AXES_COOLOFF_MINUTES", default=15, least=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "shop.accounts.lockout_username"
AXES_CLIENT_IP_CALLABLE = "shop.accounts.client_ip"
AXES_LOCKOUT_CALLABLE = "shop.accounts.lockout_response"
# Axes keeps a failed attempt's form data: never a password, whatever the form calls it.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "login-password", "password1", "password2"]
# Behind a load balancer every request comes from its address: set this to the number of proxies
# in front of the app servers that append to X-Forwarded-For (1 for one load balancer), and the
# visitor's address is read from there (shop.accounts.client_ip). 0: the connection's address.
TRUSTED_PROXY_COUNT = count("TRUSTED_PROXY_COUNT", default=0, least=0)

# Language, time, money
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = Currency.CNY.value
OSCAR_DEFAULT_CURRENCY = CURRENCY
OSCAR_CURRENCY_FORMAT = {CURRENCY: {"format": "¤#,##0.00", "currency_digits": False}}

# Static files are always served by the site itself (no CDN: stations have weak links).
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# Media storage: local disk by default, S3-compatible when a bucket is named.
# An empty variable (as in .env.example) means unset: boto3 takes "" for an endpoint or a key.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="") or None
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default="") or None
# "path" (bucket in the path) for MinIO and most self-hosted stores, "virtual" (bucket in the
# host name) where the provider requires it; unset, boto3 chooses.
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="") or None
# Product photos are public: plain URLs the browser and the CDN-less stations can cache. Signed
# (expiring) URLs only when the bucket is private.
AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
# As on local disk, a file saved under a taken name gets a new name rather than replacing the
# other file: a product photo's name repeats once an earlier photo of the product was deleted.
AWS_S3_FILE_OVERWRITE = False
STORAGES = {
    "default": {
        "BACKEND": (
            "storages.backends.s3.S3Storage"
            if AWS_STORAGE_BUCKET_NAME
            else "django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# sorl-thumbnail (Oscar's basket, checkout and dashboard thumbnails) writes into the media storage
# and notes each thumbnail it made in the database, read through the cache: with REDIS_URL every
# app server sees what another made, and none makes it again. (Not the Redis KVStore: it would
# keep the notes in Redis only, and lose them with it.)
THUMBNAIL_STORAGE = "default"
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
THUMBNAIL_CACHE = "default"

# Stripe (wired by the checkout issue). Empty keys mean: demo payment only.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# Stripe.js comes from Stripe in production; the tests and the demo load localstripe's stand-in.
# (An empty STRIPE_JS_URL, as in .env.example, means Stripe's own too.)
STRIPE_JS_URL = env("STRIPE_JS_URL", default="") or "https://js.stripe.com/v3/"

# Celery: tasks run inline unless a broker is configured (REDIS_URL, or CELERY_BROKER_URL apart).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Every task is safe to run twice (idempotency keys, settled-once checks): a task is acknowledged
# when it has run, not when a worker took it, so a worker killed mid-task (a deploy) loses
# nothing; each worker process takes one task at a time, so a slow one holds up no others.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task's result is read by anyone: none is stored.
CELERY_TASK_IGNORE_RESULT = True
# A worker started before Redis keeps trying to reach it rather than exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "settle-due-shipments": {"task": "shop.order.settle_due_shipments", "schedule": 15 * 60},
}

# Logistics. Fresh food (kept cold, or keeping this many days at most) may be returned within
# the short window after delivery, other goods within the long one; then the sale settles.
LOGISTICS_FRESH_SHELF_LIFE_DAYS = env.int("LOGISTICS_FRESH_SHELF_LIFE_DAYS", default=30)
LOGISTICS_RETURN_WINDOW_FRESH_HOURS = env.int("LOGISTICS_RETURN_WINDOW_FRESH_HOURS", default=48)
LOGISTICS_RETURN_WINDOW_OTHER_DAYS = env.int("LOGISTICS_RETURN_WINDOW_OTHER_DAYS", default=7)
# A TrueType (or .ttc) Chinese font embedded in labels and slips; `make` installs this one.
LABEL_FONT_FILE = env("LABEL_FONT_FILE", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LOGISTICS_CARRIER_INTEGRATIONS = env.list("LOGISTICS_CARRIER_INTEGRATIONS", default=["manual", "aggregator"])
# Signs the courier aggregator's tracking updates (logistics/carriers/aggregator/); empty: its webhook refuses them.
LOGISTICS_AGGREGATOR_SECRET = env("LOGISTICS_AGGREGATOR_SECRET", default="")
# Chilled and frozen goods not handed to a cold-chain courier this many hours after intake are flagged.
LOGISTICS_COLD_DISPATCH_HOURS = env.int("LOGISTICS_COLD_DISPATCH_HOURS", default=24)

# E-mail: EMAIL_URL names the SMTP server (smtp+tls://user:password@smtp.example.com:587, or
# smtp+ssl:// on 465); EMAIL_BACKEND picks another backend (console: printed, the default here).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if EMAIL_URL := env("EMAIL_URL", default=""):
    globals().update(env.email_url_config(EMAIL_URL))
# For the file backend: EMAIL_FILE_PATH, or the path of a filemail:// EMAIL_URL.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="") or globals().get("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="乌蒙优选 <noreply@wumeng-market.invalid>")
# Links in e-mails (sent by Celery, with no request to take the host from) start with this.
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")

# Text messages to farmers (shop/core/sms.py): shown on the console unless a provider is set,
# e.g. SMS_BACKEND=shop.core.sms.HttpBackend with its address, token and signature.
SMS_BACKEND = env("SMS_BACKEND", default="shop.core.sms.ConsoleBackend")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="乌蒙优选")

# Oscar
OSCAR_SHOP_NAME = _("Wumeng Market")
OSCAR_SHOP_TAGLINE = _("Goods from registered poor households of the Wumeng mountains")
OSCAR_SLUG_ALLOW_UNICODE = True
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# Reviews only from signed-in buyers, shown once the operator has approved them.
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_MODERATE_REVIEWS = True
OSCAR_INITIAL_ORDER_STATUS = OrderStatus.PENDING
OSCAR_INITIAL_LINE_STATUS = OrderStatus.PENDING
OSCAR_ORDER_STATUS_PIPELINE = ORDER_STATUS_PIPELINE
# Lines follow their shipment (see shop/order/shipping_reactions.py), never a hand-set status.
OSCAR_LINE_STATUS_PIPELINE = {status: () for status in [*OrderStatus, *ShipmentState]}
# Oscar's menu plus the operator's fee rules and poverty lines (`impact.dashboard`); Oscar's default
# menu check knows only its own dashboard apps, so these entries bring their own.
OSCAR_DASHBOARD_NAVIGATION = [
    *oscar_defaults.OSCAR_DASHBOARD_NAVIGATION,
    {"label": _("Impact"), "icon": "fas fa-hand-holding-heart", "access_fn": operator_access, "children": [
        {"label": _("Fee rules"), "url_name": "impact-dashboard:fee-rule-list", "access_fn": operator_access},
        {"label": _("Poverty lines"), "url_name": "impact-dashboard:poverty-line-list", "access_fn": operator_access},
    ]},
]
# Oscar's Haystack search is not used: our catalogue views query the database
# directly (bounded queries), but the app still wants a configured backend.
THUMBNAIL_FORMAT = "WEBP"
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}

# REST API (v1): token auth for station apps, session auth for the browsable docs.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.api.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shop.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "shop.core.api.JSONParser",  # DRF's, but absurdly nested JSON is a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "shop.core.api.Pages",  # at most 200 rows a page
    "PAGE_SIZE": 50,
}

# A token from POST /api/v1/auth/token/ works this long; then the app signs in again for a new one.
API_TOKEN_TTL = timedelta(hours=count("API_TOKEN_TTL_HOURS", default=7 * 24, least=1))


def api_v1_endpoints_only(endpoints):
    """drf-spectacular hook: the schema documents our API, not Wagtail's admin API (also DRF).

    The schema view is limited to /api/v1/ by its urlconf; `check --deploy` builds the schema from
    every URL, and Wagtail's admin API views cannot be described without a request.
    """
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


SPECTACULAR_SETTINGS = {
    "TITLE": "Wumeng Market API",
    "PREPROCESSING_HOOKS": ["shop.settings.base.api_v1_endpoints_only"],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A shipment's status and an event's type share one set of values: one name in the schema.
    "ENUM_NAME_OVERRIDES": {"ShipmentStatusEnum": "logistics.models.ShipmentStatus"},
}

# Wagtail
WAGTAIL_SITE_NAME = "乌蒙优选 Wumeng Market"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# Wagtail's admin calls out from the editor's browser unless told not to: avatars from Gravatar
# (None: its own default picture) and a check for new releases. Staff at stations have weak
# links, and production's Content-Security-Policy would refuse both (shop/csp.py).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp"}

# LOG_FORMAT=json in production: one JSON object a line (shop/logs.py) for the log collector;
# text, the default, for people reading a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "shop.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
