"""Carriers as plug-ins: one folder per integration, each offering `Carrier`s to the registry.

`manual/` covers any courier whose tracking number the station types in; integrations that
push tracking updates (a courier aggregator's signed webhook) live in their own folders. The
settings name the folders in use (`LOGISTICS_CARRIER_INTEGRATIONS`)."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.conf import settings
from django.utils.functional import Promise


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str | Promise
    cold_chain: bool  # keeps chilled and frozen goods cold all the way
    tracking_url: str = ""  # where the buyer may follow the parcel, with "{number}" in it

    def tracking_link(self, number: str) -> str:
        return self.tracking_url.format(number=number) if self.tracking_url and number else ""


@cache
def registry() -> dict[str, Carrier]:
    found: dict[str, Carrier] = {}
    for integration in settings.LOGISTICS_CARRIER_INTEGRATIONS:
        for carrier in import_module(f"logistics.carriers.{integration}.carrier").CARRIERS:
            found[carrier.code] = carrier
    return found


def carrier_get(code: str) -> Carrier | None:
    return registry().get(code)


def carriers_all() -> list[Carrier]:
    return list(registry().values())
