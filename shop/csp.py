"""The Content Security Policy of the staff areas (shop/settings/production.py, README "Settings").

The shop's own pages run no inline code and get the strict policy of CONTENT_SECURITY_POLICY.
Wagtail's admin, Oscar's dashboard and the API's Swagger UI run inline scripts and styles of
their own that we do not write, so their paths get STAFF_CONTENT_SECURITY_POLICY instead: inline
code allowed there, and still nothing from another origin, no plugins, no framing.

A subclass of django-csp's middleware, as its own docstring invites (and as its contrib
RateLimitedCSPMiddleware does), rather than its per-view decorators (@csp, @csp_replace, which
set `_csp_config` / `_csp_replace` on a response): the staff views are Wagtail's, Oscar's and
drf-spectacular's, and wrapping each of their URL includes would miss the views they add in a
later version. The staff policy replaces the whole strict one (the decorators' "config" part),
so nothing of the shop's (Stripe's origins, the nonce) carries over. And rather than
EXCLUDE_URL_PREFIXES: a page with no policy at all could load a script from anywhere.
"""

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

FRAMED_BY_OWN_PAGES = "SAMEORIGIN"


class StaffAreaCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the staff policy on the staff areas' paths."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "is_dummy", False):
            # Wagtail renders a page's preview by running a made-up request for the page's own
            # address ("/") through the middleware, and flags it. Its response is the body of
            # the real one, under /cms/, which gets the policy: a storefront policy set here would
            # stay (django-csp never overwrites a header) and frame the preview out of the editor.
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request: HttpRequest, response: HttpResponseBase,
                         report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        staff = getattr(settings, "STAFF_CONTENT_SECURITY_POLICY", None)
        # A view that set its own whole policy (@csp) keeps it; the report-only header is left alone.
        if report_only or staff is None or parts.config is not None:
            return parts
        if not request.path_info.startswith(tuple(staff["URL_PREFIXES"])):
            return parts
        parts.config = dict(staff["DIRECTIVES"])
        if response.get("X-Frame-Options") == FRAMED_BY_OWN_PAGES:
            # Wagtail's editor shows its live preview in a frame, and Wagtail marks the preview
            # views SAMEORIGIN (xframe_options_sameorigin_override); frame-ancestors overrides
            # X-Frame-Options in the browser, so it has to say the same.
            parts.config["frame-ancestors"] = [SELF]
        return parts
