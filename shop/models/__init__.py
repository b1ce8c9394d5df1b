"""The reference layer: administrative divisions, users and the officials' regions.

The Wagtail home page (`shop.home`) is a site-layer model: ShopConfig imports it with the
app's models, so importing a Division here never loads the storefront."""

from .divisions import Division, DivisionLevel
from .officials import OfficialScope
from .users import User

__all__ = ["Division", "DivisionLevel", "OfficialScope", "User"]
