"""Synthetic, clearly fake registry records for the demo and the tests: made-up
names and ID numbers whose sequence starts with 9 (valid check digit, no real person)."""

import random
from datetime import date
from decimal import Decimal

from sellers import codes, idnumbers

FAMILY_NAMES = "陈王李张刘杨罗黄赵周吴朱龙陶禄安马熊胡邓何苏蒋余".replace("", " ").split()
GIVEN_CHARS = "秀英兰芳华明军国文德成贵福兴富学春云海林平正永志光荣玉珍梅桂花勇强忠祥"
VILLAGE_STEMS = [
    "黄草", "凉风", "石门", "水田", "大坪", "青杠", "核桃", "竹林", "新店", "麻柳",
    "高桥", "坪子", "河坝", "箐口", "松林", "板栗", "杉木", "营盘", "龙潭", "白岩",
]
RELATIONS = ["配偶", "之子", "之女", "之母", "之父", "之孙子", "之孙女"]
CAPACITIES = ["乌骨鸡 {n} 羽/年", "苹果园 {n} 亩", "天麻 {n} 公斤/年", "竹笋 {n} 公斤/年", "刺绣 {n} 件/年"]


def person_name(rng: random.Random, family: str | None = None) -> str:
    family = family or rng.choice(FAMILY_NAMES)
    return family + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice([1, 2, 2])))


def fake_id_number(rng: random.Random, *, county_code: str, birth_year: int) -> str:
    birth = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    return idnumbers.make(county_code=county_code, birth=birth, sequence=900 + rng.randint(0, 99))


def household_data(rng: random.Random, *, township, registry_id: str, this_year: int) -> dict:
    """Keyword arguments for `household_register`, plausible for a Wumeng mountain household."""
    county = township.code[:6]
    family = rng.choice(FAMILY_NAMES)
    head_birth = rng.randint(1950, 1992)
    members = [{"name": person_name(rng, family), "relation": "户主",
                "id_number": fake_id_number(rng, county_code=county, birth_year=head_birth)}]
    for _ in range(rng.choices([0, 1, 2, 3, 4, 5], weights=[1, 3, 5, 6, 4, 2])[0]):
        relation = rng.choice(RELATIONS)
        birth_year = {"之母": head_birth - 25, "之父": head_birth - 27, "配偶": head_birth + rng.randint(-3, 3)}.get(
            relation, min(head_birth + rng.randint(20, 30), this_year - 1)
        )
        name = person_name(rng) if relation in ("配偶", "之母") else person_name(rng, family)
        members.append({"name": name, "relation": relation,
                        "id_number": fake_id_number(rng, county_code=county, birth_year=birth_year)})
    identified = rng.randint(2014, 2016)
    exited = rng.choice([None, 2017, 2018, 2019, 2020])
    status = "0" if exited is None else rng.choice(["1", "1", "4", "3"])
    causes = sorted(codes.codes("poverty_cause"))
    return {
        "registry_id": registry_id,
        "township": township,
        "village": rng.choice(VILLAGE_STEMS) + "村",
        "head_name": members[0]["name"],
        "id_number": members[0]["id_number"],
        "members": members,
        "poverty_cause": rng.choice(causes),
        "secondary_poverty_cause": rng.choice(["", *causes]),
        "attribute": rng.choice(["01", "04", "06"] if exited is None else ["02", "03", "05"]),
        "poverty_status": status,
        "monitoring_type": rng.choice(["", "", "1", "2", "3"]),
        # Below the line when identified, as registered households were; a few records in 20
        # carry the kind of data-entry slip the data checks exist to catch.
        "baseline_income_per_capita": Decimal(rng.randint(1600, 2700) if rng.random() > 0.05 else rng.randint(3200, 5200)),
        "identified_year": identified,
        "exited_year": exited,
        "phone": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        "bank_account": f"6217{rng.randint(10**11, 10**12 - 1)}",
        "capacity": rng.choice(CAPACITIES).format(n=rng.choice([50, 120, 300, 5, 8, 200])),
        "consent_to_sell": True,
        "consent_to_story": rng.random() < 0.3,
    }
