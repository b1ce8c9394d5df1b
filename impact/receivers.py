"""The product page's price breakdown is rendered into the catalogue's cached fragments: a
change of what it depends on here (the fee rules, a cooperative's benefit links) drops them at
once, as a price change does (`catalogue.receivers`)."""

from django.db.models.signals import post_delete, post_save

from catalogue.caching import catalogue_changed
from impact.models import FeeRule
from sellers.models import BenefitLink

for model in (FeeRule, BenefitLink):
    post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"impact_catalogue_changed_save_{model.__name__}")
    post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"impact_catalogue_changed_delete_{model.__name__}")
