from .audit import HouseholdChange
from .households import Household, HouseholdMember
from .sellers import BenefitLink, Seller, SellerKind
from .stories import StoryIndexPage, StoryPage

__all__ = [
    "BenefitLink", "Household", "HouseholdChange", "HouseholdMember", "Seller", "SellerKind", "StoryIndexPage",
    "StoryPage",
]
