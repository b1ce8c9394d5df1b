from .divisions import Division, DivisionLevel
from .pages import HomePage, HomePageFeaturedProduct
from .users import User

__all__ = ["Division", "DivisionLevel", "HomePage", "HomePageFeaturedProduct", "User"]
