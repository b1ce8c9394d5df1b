"""The demo data set: real divisions, synthetic households, realistic products.

Built only from the services and factories the tests use. Every step is keyed
by stable identifiers (station codes, registry IDs, UPCs, usernames, order
numbers), so running it again changes nothing."""

import csv
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from oscar.apps.address.models import Country
from oscar.apps.basket.models import Basket
from oscar.test.factories import create_order

from catalogue import images
from catalogue import services as catalogue_services
from catalogue.models import Product, StorageClass
from logistics.models import Station, StationRole
from logistics.services import station_ensure, station_member_add
from sellers import synthetic
from sellers.models import Household, StoryIndexPage, StoryPage
from sellers.partner.strategy import WumengStrategy
from sellers.services import household_register, household_seller_ensure, stock_offer
from shop.core.romanize import english_name
from shop.factories import DEMO_PASSWORD, UserFactory
from shop.home.models import HomePageFeaturedProduct
from shop.home.services import home_page_ensure
from shop.models import Division
from shop.order.models import Order, ShippingAddress
from shop.order.statuses import OrderStatus
from shop.services import divisions_load, official_scope_grant

PRODUCTS_FILE = Path(catalogue_services.__file__).parent / "data" / "zhaotong_products.csv"
HOUSEHOLDS_PER_STATION = 36
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
    orders = _orders(rng, products, accounts["buyer"])
    summary = {
        "stations": Station.objects.count(),
        "households": Household.objects.count(),
        "products": Product.objects.count(),
        "orders": orders,
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
            household = existing.get(registry_id) or household_register(**data)
            by_township.setdefault(township.code, []).append(household)
    return by_township


def _products(rng: random.Random, households: dict[str, list[Household]]) -> list[Product]:
    with PRODUCTS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    products = []
    for index, row in enumerate(rows):
        county = COVERED_COUNTY.get(row["origin_county_code"], row["origin_county_code"])
        townships = sorted(code for code in households if code.startswith(county))
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
    return {"admin": admin, "buyer": buyer}


PENDING, PAID, SHIPPED, DELIVERED, CANCELLED = (
    OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED
)
ORDER_STATES = [PENDING, PAID, PAID, SHIPPED, DELIVERED, CANCELLED]
STATUS_PATH = {
    PENDING: [], PAID: [PAID], SHIPPED: [PAID, SHIPPED], DELIVERED: [PAID, SHIPPED, DELIVERED], CANCELLED: [CANCELLED],
}


@transaction.atomic
def _orders(rng: random.Random, products: list[Product], buyer) -> int:
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN", defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156",
                                      "printable_name": "中国", "name": "China", "is_shipping_country": True}
    )
    for n, status in enumerate(ORDER_STATES, start=1):
        number = f"WM-DEMO-{n:04d}"
        if Order.objects.filter(number=number).exists():
            continue
        basket = Basket.objects.create(owner=buyer)
        basket.strategy = WumengStrategy()
        pooled = [p for p in products if p.product_class.slug == catalogue_services.POOLED]
        for product in rng.sample(pooled, 2):
            basket.add_product(product, quantity=rng.randint(1, 2))
        address = ShippingAddress.objects.create(
            first_name="小明", last_name="王", line1="朝阳区建国路 88 号", line4="北京",
            postcode="100022", country=country, phone_number="+8613800000000",
        )
        order = create_order(number=number, basket=basket, user=buyer, shipping_address=address)
        for step in STATUS_PATH[status]:
            order.set_status(step)
        basket.submit()
    return Order.objects.count()


DEMO_ACCOUNTS_HELP = f"""
Demo accounts (password for all: {DEMO_PASSWORD})
  admin              platform operator    /dashboard/  /cms/   (e-mail admin@wumeng.example)
  buyer              urban buyer          sign in with buyer@wumeng.example
  station_miaoba     庙坝镇 station (Yanjin), manager
  station_poji       泼机镇 station (Zhenxiong), manager
  official_yanjin    Yanjin county official (盐津县)
  official_zhaotong  Zhaotong city official (昭通市)
"""
