"""The demo data set: real divisions, synthetic households, realistic products.

Built only from the services and factories the tests use. Every step is keyed
by stable identifiers (station codes, registry IDs, UPCs, usernames, order
numbers), so running it again changes nothing."""

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from oscar.apps.address.models import Country
from oscar.apps.basket.models import Basket
from oscar.apps.payment.models import SourceType
from oscar.test.factories import create_order

from catalogue import images
from catalogue import services as catalogue_services
from catalogue.models import Product, StorageClass
from impact.models import LedgerEntry
from logistics.models import Grade, Shipment, Station, StationRole
from logistics.movement import Intake, Move, return_window_closes, shipments_move
from logistics.services import station_ensure, station_member_add
from logistics.states import CARRIER_MOVES, State
from sellers import synthetic
from sellers.models import Household, StoryIndexPage, StoryPage
from sellers.partner.models import StockRecord
from sellers.partner.strategy import WumengStrategy
from sellers.services import household_register, household_seller_ensure, stock_offer
from shop.checkout.views import DEMO_SOURCE
from shop.core.romanize import english_name
from shop.factories import DEMO_PASSWORD, UserFactory
from shop.home.models import HomePageFeaturedProduct
from shop.home.services import home_page_ensure
from shop.models import Division
from shop.order.models import Order, PaymentEventQuantity, PaymentEventType, ShippingAddress
from shop.order.settlement import shipment_settle
from shop.order.statuses import PAID_EVENT, OrderStatus
from shop.services import divisions_load, official_scope_grant

PRODUCTS_FILE = Path(catalogue_services.__file__).parent / "data" / "zhaotong_products.csv"
HOUSEHOLDS_PER_STATION = 36
EDGE_HOUSEHOLDS_PER_STATION = 2  # of them, under monitoring just below the line
SEED = 20261128


@dataclass(frozen=True)
class StationSpec:
    code: str
    township: str
    name_en: str
    cold_chain: bool


STATIONS = [
    StationSpec("YJ-MIAOBA", "530623105", "Miaoba station", True),
    StationSpec("YJ-YANJING", "530623101", "Yanjing station", True),
    StationSpec("YJ-DOUSHA", "530623103", "Dousha station", False),
    StationSpec("ZX-POJI", "530627102", "Poji station", False),
    StationSpec("ZX-YILE", "530627106", "Yile station", True),
    StationSpec("ZX-MANGBU", "530627108", "Mangbu station", False),
    StationSpec("YL-XIAOCAOBA", "530628109", "Xiaocaoba station", True),
    StationSpec("YL-LUOZEHE", "530628102", "Luozehe station", False),
    StationSpec("YL-LONGJIE", "530628201", "Longjie station", False),
]
COLD_CHAIN_TOWNSHIPS = {spec.township for spec in STATIONS if spec.cold_chain}

CATEGORY_OF = {
    "poultry": "poultry-eggs", "eggs": "poultry-eggs", "fruit": "fruit", "mountain produce": "mountain-produce",
    "grain and flour": "grain-flour", "vegetables": "vegetables", "handicrafts": "handicrafts",
}
UNIT_ZH = {
    "bird (1.5-2.5 kg)": ("只(1.5–2.5 千克)", None), "box of 30": ("盒(30 枚)", None),
    "5 kg box": ("箱(5 千克)", 5000), "500 g": ("袋(500 克)", 500), "1 kg": ("袋(1 千克)", 1000),
    "250 g": ("罐(250 克)", 250), "5 kg": ("袋(5 千克)", 5000), "piece": ("件", None),
}
GI_MARKS = {"盐津乌骨鸡": "盐津乌骨鸡", "昭通苹果": "昭通苹果", "小草坝天麻": "小草坝天麻"}
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
# The reference file names some goods from counties the demo has no stations in;
# the demo lists them under the nearest covered county's households instead.
COVERED_COUNTY = {"530602": "530628", "530626": "530623"}
VARIANTS = [("", "", Decimal("1.00")), (" · 礼盒装", " · gift box", Decimal("1.30"))]
PATTERNS = [("蝴蝶纹", "butterfly"), ("鸟纹", "bird"), ("太阳纹", "sun"), ("山形纹", "mountain"),
            ("花卉纹", "flower"), ("回纹", "fret"), ("鱼纹", "fish"), ("星纹", "star"),
            ("水波纹", "wave"), ("马缨花纹", "azalea")]


def refuse_in_production() -> None:
    if not getattr(settings, "DEMO_ALLOWED", False):
        raise ImproperlyConfigured(
            "The demo data uses a published password and must not be loaded with production settings."
        )


def demo_load(*, log=print) -> dict:
    refuse_in_production()
    rng = random.Random(SEED)
    divisions_load()
    catalogue_services.categories_ensure()
    catalogue_services.product_classes_ensure()
    stations = _stations()
    households = _households(rng, stations)
    products = _products(rng, households)
    home = home_page_ensure(
        title="乌蒙优选", hero_title="乌蒙山里的好东西，直接从农户家里来",
        hero_title_en="Good things from the Wumeng mountains, straight from the farm",
        intro="每一笔收入都记到供货的建档立卡户名下。乡镇电商服务站替不会网上开店的农户上架、验收、发货。",
        intro_en="Every yuan of income is credited to the registered household that supplied the goods. "
        "Township e-commerce stations list, check and ship for farmers who cannot sell online themselves.",
    )
    _featured(home, products)
    _stories(home, households)
    accounts = _accounts(stations)
    _orders(accounts)
    summary = {
        "stations": Station.objects.count(),
        "households": Household.objects.count(),
        "products": Product.objects.count(),
        "orders": Order.objects.count(),
        "shipments": Shipment.objects.count(),
        "ledger entries": LedgerEntry.objects.count(),
    }
    log(f"Demo data: {summary}")
    return summary


def _stations() -> list[Station]:
    result = []
    for spec in STATIONS:
        township = Division.objects.get(code=spec.township)
        result.append(
            station_ensure(
                code=spec.code, township=township, name=f"{township.name}电商服务站", name_en=spec.name_en,
                address=f"云南省昭通市{township.parent.name}{township.name}街道 1 号", phone="0870-0000000",
                cold_chain=spec.cold_chain,
            )
        )
    return result


@transaction.atomic
def _households(rng: random.Random, stations: list[Station]) -> dict[str, list[Household]]:
    """Households by township code."""
    by_township: dict[str, list[Household]] = {}
    existing = {h.registry_id: h for h in Household.objects.all()}
    for station in stations:
        township = station.township
        for i in range(1, HOUSEHOLDS_PER_STATION + 1):
            registry_id = f"{township.code}{i:04d}"
            data = synthetic.household_data(rng, township=township, registry_id=registry_id, this_year=timezone.localdate().year)
            if i <= EDGE_HOUSEHOLDS_PER_STATION:
                data = _edge_household(data, rng)
            household = existing.get(registry_id) or household_register(**data)
            by_township.setdefault(township.code, []).append(household)
    return by_township


def _edge_household(data: dict, rng: random.Random) -> dict:
    """A household taken into monitoring in 2024 just under that year's line (¥7,300 a person):
    the kind a few hundred yuan of sales a year lifts across it, as the officials' reports show."""
    return {
        **data, "members": data["members"][:rng.randint(2, 3)], "identified_year": 2024, "exited_year": None,
        "poverty_status": "0", "monitoring_type": "1", "baseline_income_per_capita": Decimal(rng.randint(7000, 7280)),
    }


def _products(rng: random.Random, households: dict[str, list[Household]]) -> list[Product]:
    with PRODUCTS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    products = []
    for index, row in enumerate(rows):
        county = COVERED_COUNTY.get(row["origin_county_code"], row["origin_county_code"])
        townships = sorted(code for code in households if code.startswith(county))
        if _storage(row["storage"]) != StorageClass.AMBIENT:
            # Chilled and frozen goods can be taken in only by a station with a cold chain.
            townships = [code for code in townships if code in COLD_CHAIN_TOWNSHIPS]
        if row["category"] == "handicrafts":
            for n, pattern in enumerate(PATTERNS, start=1):
                township = townships[n % len(townships)]
                maker = households[township][n]
                products.append(_product(rng, row, f"{index:02d}{n:02d}", township, [maker], pattern=pattern))
        else:
            for v, variant in enumerate(VARIANTS):
                township = townships[(index + v) % len(townships)]
                sellers = rng.sample(households[township], rng.randint(3, 5))
                products.append(_product(rng, row, f"{index:02d}{v:02d}", township, sellers, variant=variant))
    return products


@transaction.atomic
def _product(rng, row, key, township_code, sellers, *, variant=None, pattern=None) -> Product:
    upc = f"WM-DEMO-{key}"
    product = Product.objects.filter(upc=upc).first()
    if product:
        return product
    township = Division.objects.select_related("parent").get(code=township_code)
    unit_zh, grams = UNIT_ZH.get(row["unit"], (row["unit"], None))
    if pattern:
        title, title_en = f"{row['name_zh']} · {pattern[0]}", f"{row['name_en']} · {pattern[1]} pattern"
        multiplier = Decimal(rng.randint(100, 300)) / 100
        description = f"{township.name}绣娘手工制作，一人一件，图案独一无二。"
        description_en = f"Hand-made by an embroiderer of {township.name_en}; one maker, one unique piece."
    else:
        title, title_en = row["name_zh"] + variant[0], row["name_en"] + variant[1]
        multiplier = variant[2]
        description = (
            f"由{township.parent.name}{township.name}的 {len(sellers)} 户建档立卡户联合供货，"
            "乡镇电商服务站统一验收、分级、包装后发出。"
        )
        description_en = (
            f"Supplied jointly by {len(sellers)} registered households of {township.name_en}, "
            f"{township.parent.name_en}; the township station checks, grades and packs every order. {row['note']}"
        )
    category = catalogue_services.categories_ensure()[CATEGORY_OF[row["category"]]]
    kind = catalogue_services.HANDMADE if pattern else catalogue_services.POOLED
    low, high = Decimal(row["typical_price_cny_low"]), Decimal(row["typical_price_cny_high"])
    gi_mark = next((mark for key_, mark in GI_MARKS.items() if key_ in row["name_zh"].replace("(", "")), "")
    product = catalogue_services.product_create(
        title=title, title_en=title_en, description=description, description_en=description_en,
        category=category, product_class=catalogue_services.product_classes_ensure()[kind],
        origin=township, unit=unit_zh, unit_en=row["unit"], net_weight_grams=grams,
        season=_season(row["season"]), storage=_storage(row["storage"]),
        shelf_life_days=int(row["shelf_life_days"]) if row["shelf_life_days"] else None,
        certificate_number=f"扶贫产品认定 2026-53-{rng.randint(10000, 99999)}",
        certificate_expires=date(2027, rng.randint(1, 12), 1),
        gi_mark=gi_mark, gi_area=township.parent if gi_mark else None,
        # One price for the buyer, whichever of the households fills the order.
        price=(low + (high - low) * Decimal(rng.randint(20, 60)) / 100) * multiplier,
        upc=upc,
    )
    for picture in range(rng.choice([1, 2])):
        data = images.demo_picture(kind=row["category"], seed=hash((upc, picture)) % 10**6)
        catalogue_services.product_image_add(product=product, data=data, caption=title)
    for household in sellers:
        seller = household_seller_ensure(household=household)
        stock_offer(seller=seller, product=product, stock=1 if pattern else rng.randint(5, 60))
    return product


def _season(text: str) -> tuple[int, int] | None:
    if text == "all year":
        return None
    start, end = text.split("-")
    return MONTHS[start], MONTHS[end]


def _storage(text: str) -> StorageClass:
    for storage in (StorageClass.CHILLED, StorageClass.FROZEN):
        if text.startswith(storage.value):
            return storage
    return StorageClass.AMBIENT


def _featured(home, products: list[Product]) -> None:
    if HomePageFeaturedProduct.objects.filter(page=home).exists():
        return
    HomePageFeaturedProduct.objects.bulk_create(
        HomePageFeaturedProduct(page=home, product=product, sort_order=order)
        for order, product in enumerate(products[::5][:8])
    )


def _stories(home, households: dict[str, list[Household]]) -> None:
    index = StoryIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=StoryIndexPage(
                title="农户的故事", title_en="Households' stories", slug="stories",
                intro="他们是谁，种什么、养什么，网上卖货给家里带来了什么变化。",
                intro_en="Who they are, what they grow and rear, and what selling online changed for them.",
            )
        )
    if StoryPage.objects.exists():
        return
    sellers = [h for hs in households.values() for h in hs if h.consent_to_story and hasattr(h, "seller")][:4]
    for number, household in enumerate(sellers, start=1):
        surname = household.head_name[0]
        index.add_child(
            instance=StoryPage(
                title=f"{household.township.name}{household.village}的{surname}家",
                title_en=f"The {english_name(surname)} family of {english_name(household.village)}, {household.township.name_en}",
                # Addresses must not carry registry IDs: a number that only says which story it is.
                slug=f"story-{number}",
                household=household,
                summary=f"一家 {household.members} 口，{household.capacity}。",
                summary_en=f"A family of {household.members}; declared capacity: {household.capacity}.",
                body=(
                    f"<p>{surname}家住在{household.township.name}{household.village}，山高路远，"
                    "以前养的鸡、种的菜只能背到集市上卖。</p><p>现在镇上的电商服务站帮他们拍照上架、"
                    "验收打包，城里的买家下单后，每一笔收入都记到他们家的账上。</p>"
                ),
                body_en=(
                    f"<p>The {english_name(surname)} family lives in {english_name(household.village)}, {household.township.name_en}, "
                    "far up the mountain. Their birds and vegetables used to go to the market on their backs.</p>"
                    "<p>Now the township station photographs and lists their goods, checks and packs each "
                    "order, and every yuan a city buyer pays is credited to the family's account.</p>"
                ),
            )
        )


def _accounts(stations: list[Station]) -> dict:
    by_code = {s.code: s for s in stations}
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    buyer = UserFactory(username="buyer", first_name="小明", last_name="王")
    miaoba = UserFactory(username="station_miaoba", first_name="庙坝站")
    station_member_add(station=by_code["YJ-MIAOBA"], user=miaoba, role=StationRole.MANAGER)
    poji = UserFactory(username="station_poji", first_name="泼机站")
    station_member_add(station=by_code["ZX-POJI"], user=poji, role=StationRole.MANAGER)
    official_yanjin = UserFactory(username="official_yanjin", first_name="盐津县")
    official_scope_grant(user=official_yanjin, region=Division.objects.get(code="530623"))
    official_zhaotong = UserFactory(username="official_zhaotong", first_name="昭通市")
    official_scope_grant(user=official_zhaotong, region=Division.objects.get(code="530600"))
    return {"admin": admin, "buyer": buyer, "station_users": {"YJ-MIAOBA": miaoba, "ZX-POJI": poji}}


# Orders and their parcels ----------------------------------------------------------------------
#
# A morning's work at the stations: parcels in every state of the shipment machine, brought
# there only by `shipments_move` (real events; QC failures and returns refunded through the demo
# payment) at times spread over the last days. Each step runs inside
# `time_machine.travel(when, tick=False)`, so that every time it writes agrees with the others:
# the event, the shipment's copies of it, the order's status change, Oscar's shipping and payment
# events, the refund and its note. Setting only the events' and shipments' times afterwards would
# leave the rest at the moment of loading. time-machine is in requirements.txt; the demo is its
# only user outside the tests and never runs in production (`refuse_in_production`).

MIAOBA, YANJING, DOUSHA = "YJ-MIAOBA", "YJ-YANJING", "YJ-DOUSHA"
POJI, YILE, MANGBU = "ZX-POJI", "ZX-YILE", "ZX-MANGBU"
XIAOCAOBA, LUOZEHE, LONGJIE = "YL-XIAOCAOBA", "YL-LUOZEHE", "YL-LONGJIE"
AMBIENT, CHILLED, FROZEN = StorageClass.AMBIENT, StorageClass.CHILLED, StorageClass.FROZEN

TO_PACKED = (State.RECEIVED, State.QC_PASSED, State.PACKED)
TO_DISPATCHED = (*TO_PACKED, State.DISPATCHED)
TO_DELIVERED = (*TO_DISPATCHED, State.IN_TRANSIT, State.DELIVERED)
PATHS = {
    State.AWAITING_INTAKE: (),
    State.RECEIVED: (State.RECEIVED,),
    State.QC_PASSED: (State.RECEIVED, State.QC_PASSED),
    State.QC_FAILED: (State.RECEIVED, State.QC_FAILED),
    State.PACKED: TO_PACKED,
    State.DISPATCHED: TO_DISPATCHED,
    State.IN_TRANSIT: (*TO_DISPATCHED, State.IN_TRANSIT),
    State.DELIVERED: TO_DELIVERED,
    State.EXCEPTION: (*TO_DISPATCHED, State.EXCEPTION),
    State.RETURN_REQUESTED: (*TO_DELIVERED, State.RETURN_REQUESTED),
    State.RETURNED: (*TO_DELIVERED, State.RETURN_REQUESTED, State.RETURNED),
}
# Hours from the previous step (from payment, for the first): the farmer brings the goods in
# within the morning, the courier collects in the afternoon, a parcel reaches a city in two days.
HOURS_BEFORE = {
    State.RECEIVED: 4, State.QC_PASSED: 0.5, State.QC_FAILED: 0.5, State.PACKED: 1, State.DISPATCHED: 3,
    State.IN_TRANSIT: 8, State.DELIVERED: 34, State.EXCEPTION: 20, State.RETURN_REQUESTED: 12, State.RETURNED: 30,
}
COLD_DELIVERY_HOURS = 20  # cold-chain express is faster
# What staff write in the note: (for goods kept at room temperature, for chilled and frozen goods).
NOTES = {
    State.QC_FAILED: ("验收不合格：有破损，品相差，不能发给买家", "验收不合格：有异味，不够新鲜，不能发给买家"),
    State.EXCEPTION: ("收件人电话一直无法接通，包裹暂存快递网点", "收件地址不详，快递员找不到收件人"),
    State.RETURN_REQUESTED: ("买家说到货时包装破损，申请退货", "买家说到货时冰袋已化，申请退货"),
    State.RETURNED: ("包裹已退回服务站，货物已清点", "包裹已退回服务站，货物已清点"),
}
PLACES = {State.IN_TRANSIT: "昭通市邮件处理中心", State.DELIVERED: "北京市朝阳区", State.EXCEPTION: "北京市朝阳区建国路营业部"}


@dataclass(frozen=True)
class DemoParcel:
    """What one station ships of a demo order: a product of each storage class in `goods`."""

    station: str
    goods: tuple[str, ...]
    path: tuple[State, ...]
    settled: bool = False  # its sale settled when the return window closed
    failed_line: bool = False  # its first line failed the quality check (refunded), the others passed


@dataclass(frozen=True)
class DemoOrder:
    hours_ago: float  # when the buyer placed it
    parcels: tuple[DemoParcel, ...]
    paid: bool = True
    cancelled: bool = False  # by the buyer, before paying


def parcel(station: str, *goods: str, to: State = State.AWAITING_INTAKE, path=None, **kwargs) -> DemoParcel:
    return DemoParcel(station, goods, path or PATHS[to], **kwargs)


DEMO_ORDERS = [
    # Miaoba (cold chain), its manager's morning: goods the farmers have yet to bring in,
    DemoOrder(1.5, (parcel(MIAOBA, AMBIENT),)),
    DemoOrder(3, (parcel(MIAOBA, CHILLED),)),
    DemoOrder(5, (parcel(MIAOBA, AMBIENT, AMBIENT),)),
    DemoOrder(9, (parcel(MIAOBA, FROZEN),)),
    DemoOrder(14, (parcel(MIAOBA, AMBIENT), parcel(POJI, AMBIENT))),
    # goods at the station, one of them chilled and taken in 30 h ago (the shelf-life warning),
    DemoOrder(34, (parcel(MIAOBA, CHILLED, to=State.RECEIVED),)),
    DemoOrder(6, (parcel(MIAOBA, AMBIENT, to=State.RECEIVED),)),
    DemoOrder(8, (parcel(MIAOBA, AMBIENT, AMBIENT, to=State.QC_PASSED),)),
    DemoOrder(10, (parcel(MIAOBA, AMBIENT, to=State.QC_FAILED), parcel(POJI, AMBIENT, to=State.RECEIVED))),
    DemoOrder(12, (parcel(MIAOBA, AMBIENT, AMBIENT, to=State.PACKED, failed_line=True),)),
    DemoOrder(25, (parcel(MIAOBA, FROZEN, to=State.PACKED),)),
    # with the couriers,
    DemoOrder(15, (parcel(MIAOBA, CHILLED, to=State.DISPATCHED),)),
    DemoOrder(20, (parcel(MIAOBA, AMBIENT, to=State.DISPATCHED),)),
    DemoOrder(28, (parcel(MIAOBA, AMBIENT, to=State.IN_TRANSIT), parcel(POJI, AMBIENT, to=State.DISPATCHED))),
    DemoOrder(60, (parcel(MIAOBA, AMBIENT, path=(
        *TO_DISPATCHED, State.EXCEPTION, State.DISPATCHED, State.IN_TRANSIT)),)),
    DemoOrder(40, (parcel(MIAOBA, AMBIENT, to=State.EXCEPTION),)),
    # arrived, sent back, settled.
    DemoOrder(50, (parcel(MIAOBA, FROZEN, to=State.DELIVERED),)),
    DemoOrder(90, (parcel(MIAOBA, AMBIENT, to=State.DELIVERED),)),
    DemoOrder(62, (parcel(MIAOBA, CHILLED, to=State.RETURN_REQUESTED),)),
    DemoOrder(120, (parcel(MIAOBA, AMBIENT, path=(*TO_DISPATCHED, State.EXCEPTION, State.RETURNED)),)),
    DemoOrder(150, (parcel(MIAOBA, AMBIENT, to=State.RETURNED),)),
    DemoOrder(110, (parcel(MIAOBA, CHILLED, to=State.DELIVERED, settled=True),)),
    DemoOrder(240, (parcel(MIAOBA, AMBIENT, to=State.DELIVERED, settled=True),)),
    # Poji (no cold chain: ambient goods only).
    DemoOrder(2, (parcel(POJI, AMBIENT),)),
    DemoOrder(7, (parcel(POJI, AMBIENT),)),
    DemoOrder(22, (parcel(POJI, AMBIENT, to=State.PACKED),)),
    DemoOrder(44, (parcel(POJI, AMBIENT, to=State.EXCEPTION),)),
    DemoOrder(75, (parcel(POJI, AMBIENT, to=State.DELIVERED),)),
    DemoOrder(260, (parcel(POJI, AMBIENT, to=State.DELIVERED, settled=True),)),
    # The other stations, in orders of goods from two townships.
    DemoOrder(4, (parcel(YANJING, CHILLED), parcel(DOUSHA, AMBIENT))),
    DemoOrder(11, (parcel(XIAOCAOBA, CHILLED, to=State.QC_FAILED), parcel(LUOZEHE, AMBIENT, to=State.QC_PASSED))),
    DemoOrder(16, (parcel(YILE, AMBIENT, to=State.RECEIVED), parcel(MANGBU, AMBIENT))),
    DemoOrder(33, (parcel(XIAOCAOBA, CHILLED, to=State.IN_TRANSIT), parcel(LONGJIE, AMBIENT, to=State.DISPATCHED))),
    DemoOrder(230, (parcel(YANJING, CHILLED, to=State.DELIVERED, settled=True),
                    parcel(DOUSHA, AMBIENT, to=State.DELIVERED, settled=True))),
    # In no queue: an order not paid yet, and one the buyer cancelled instead of paying.
    DemoOrder(0.5, (parcel(MIAOBA, AMBIENT), parcel(POJI, AMBIENT)), paid=False),
    DemoOrder(26, (parcel(YANJING, AMBIENT),), paid=False, cancelled=True),
]


def _orders(accounts: dict) -> int:
    """The demo orders, oldest first; numbered by age, so that WM-DEMO-0001 is the oldest."""
    country = _china()
    now = timezone.now()
    goods = _goods_by_station()
    for n, spec in enumerate(sorted(DEMO_ORDERS, key=lambda spec: -spec.hours_ago), start=1):
        number = f"WM-DEMO-{n:04d}"
        if not Order.objects.filter(number=number).exists():
            # Each order draws from its own generator: one that is missing is made the same way
            # whatever the others did.
            rng = random.Random(f"{SEED}-{number}")
            _order(number, spec, rng=rng, now=now, goods=goods, country=country, accounts=accounts)
    return Order.objects.count()


def _china() -> Country:
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN", defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156",
                                      "printable_name": "中国", "name": "China", "is_shipping_country": True}
    )
    return country


def _goods_by_station() -> dict[tuple[str, str], list[Product]]:
    """Pooled products by the station that ships them and their storage class (a pooled
    product's households all live in one township)."""
    station_of = dict(Station.objects.values_list("township_id", "code"))
    offers = sorted(set(
        StockRecord.objects.filter(product__product_class__slug=catalogue_services.POOLED)
        .values_list("product_id", "partner__seller__township_id")
    ))
    products = Product.objects.in_bulk({product_id for product_id, _township in offers})
    goods: dict[tuple[str, str], list[Product]] = {}
    for product_id, township in offers:
        if township in station_of:
            product = products[product_id]
            goods.setdefault((station_of[township], product.storage), []).append(product)
    return goods


@transaction.atomic
def _order(number: str, spec: DemoOrder, *, rng, now, goods, country, accounts) -> None:
    placed = now - timedelta(hours=spec.hours_ago)
    with time_machine.travel(placed, tick=False):
        basket = Basket.objects.create(owner=accounts["buyer"])
        basket.strategy = WumengStrategy()
        for part in spec.parcels:
            for storage in dict.fromkeys(part.goods):  # in order: the same draws every time
                # A database loaded by an older demo may list no such goods at this station: then
                # goods kept at room temperature, which every station takes in, tell the story.
                found = goods.get((part.station, storage)) or goods[(part.station, AMBIENT)]
                for product in rng.sample(found, min(part.goods.count(storage), len(found))):
                    basket.add_product(product, quantity=rng.randint(1, 2))
        address = ShippingAddress.objects.create(
            first_name="小明", last_name="王", line1="朝阳区建国路 88 号", line4="北京",
            postcode="100022", country=country, phone_number="+8613800000000",
        )
        order = create_order(number=number, basket=basket, user=accounts["buyer"], shipping_address=address)
        basket.submit()
        if spec.paid:
            _demo_payment(order)
            order.set_status(OrderStatus.PAID)
    if spec.cancelled:
        with time_machine.travel(placed + timedelta(hours=2), tick=False):
            order.set_status(OrderStatus.CANCELLED)
    shipments = {shipment.station.code: shipment for shipment in order.shipments.select_related("station")}
    for part in spec.parcels:
        by = accounts["station_users"].get(part.station)
        _parcel_moves(shipments[part.station], part, placed=placed, now=now, rng=rng, by=by)


def _demo_payment(order: Order) -> None:
    """The money taken by the demo payment, recorded as the checkout records it: refunds go back through it."""
    source_type, _created = SourceType.objects.get_or_create(
        code=DEMO_SOURCE, defaults={"name": "演示付款 Demo payment"}
    )
    order.sources.create(
        source_type=source_type, currency=order.currency, amount_allocated=order.total_incl_tax,
        amount_debited=order.total_incl_tax, reference=f"demo-{order.number}",
    )
    event_type, _created = PaymentEventType.objects.get_or_create(name=PAID_EVENT)
    event = order.payment_events.create(
        event_type=event_type, amount=order.total_incl_tax, reference=f"demo-{order.number}"
    )
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(event=event, line=line, quantity=line.quantity) for line in order.lines.all()
    )


def _parcel_moves(shipment: Shipment, spec: DemoParcel, *, placed, now, rng, by) -> None:
    """The parcel's moves, each at its time. A story that would run past now stops where it is:
    with the goods DEMO_ORDERS asks for, every story ends in the past (the tests check that every
    state is reached), but goods standing in for missing ones in an older demo database may keep
    longer, and so settle later."""
    lines = list(shipment.lines.select_related("order_line__product"))
    when = placed
    for step in spec.path:
        cold_delivery = step == State.DELIVERED and shipment.needs_cold_chain
        when += timedelta(hours=COLD_DELIVERY_HOURS if cold_delivery else HOURS_BEFORE[step])
        if when > now:
            return
        # The courier reports its own moves (as its webhook would); the station makes the others.
        by_courier = step in CARRIER_MOVES and shipment.carrier
        with time_machine.travel(when, tick=False):
            (moved,) = shipments_move(
                shipment_ids=[shipment.pk], move=_move(shipment, lines, step, spec, rng),
                by=None if by_courier else by, source=f"carrier:{shipment.carrier}" if by_courier else "station",
                place=PLACES.get(step, ""),
            )
        shipment = moved.shipment
    if spec.settled:
        when = return_window_closes(shipment) + timedelta(minutes=10)  # the next run of the settlement task
        if when > now:
            return
        with time_machine.travel(when, tick=False):
            shipment_settle(shipment=shipment)


def _move(shipment: Shipment, lines: list, step: State, spec: DemoParcel, rng) -> Move:
    note = NOTES[step][shipment.needs_cold_chain] if step in NOTES else ""
    if step == State.RECEIVED:
        return Move(to=step, intake={line.pk: _intake(line, rng) for line in lines})
    if step == State.QC_PASSED and spec.failed_line and len(lines) > 1:  # one good must pass
        return Move(to=step, failed_lines=frozenset({lines[0].pk}), note="一件品相不合格，已退款；其余合格")
    if step == State.DISPATCHED and shipment.carrier:  # again, after a delivery problem
        return Move(to=step, note="已联系上收件人，重新派送")
    if step == State.DISPATCHED:
        if shipment.needs_cold_chain:
            carrier, number = "sf-cold", f"SF{rng.randrange(10**11, 10**12)}"
        else:
            carrier, number = "ems", f"EA{rng.randrange(10**8, 10**9)}CN"
        return Move(to=step, carrier=carrier, tracking_number=number)
    return Move(to=step, note=note)


def _intake(line, rng) -> Intake:
    """What the station's scale shows: the goods and their packing, 3 to 15 % over the net weight."""
    grams = (line.order_line.product.net_weight_grams or 2000) * line.order_line.quantity
    weight = (Decimal(grams * rng.randint(103, 115)) / 100_000).quantize(Decimal("0.001"))
    return Intake(weight, Grade.SECOND if rng.random() < 0.2 else Grade.FIRST)


DEMO_ACCOUNTS_HELP = f"""
Demo accounts (password for all: {DEMO_PASSWORD})
  admin              platform operator    /dashboard/  /cms/   (e-mail admin@wumeng.example)
  buyer              urban buyer          sign in with buyer@wumeng.example
  station_miaoba     庙坝镇 station (Yanjin), manager
  station_poji       泼机镇 station (Zhenxiong), manager
  official_yanjin    Yanjin county official (盐津县)
  official_zhaotong  Zhaotong city official (昭通市)
"""
