"""Signing out of the storefront only by POST: Oscar's sign-out is a GET link, so any page, image
or prefetch that points at it could sign a buyer out (and drop the basket's cookie)."""

from django.template.response import TemplateResponse
from oscar.core.loading import get_class

OscarLogoutView = get_class("customer.views", "LogoutView")


class SignOutView(OscarLogoutView):
    """Oscar's sign-out (its redirect and cookies) on a POST, which carries the CSRF token; a GET
    shows a page with the button instead, and signs nobody out."""

    template_name = "oscar/customer/logout.html"

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, self.template_name)

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
