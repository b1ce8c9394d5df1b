from shop.core.romanize import english_name


def test_a_town_gets_pinyin_and_its_level():
    assert english_name("庙坝镇") == "Miaoba Town"


def test_ethnic_townships_keep_their_peoples():
    assert english_name("龙街苗族彝族乡") == "Longjie Miao and Yi Ethnic Township"


def test_local_readings_override_the_dictionary():
    assert english_name("以勒镇") == "Yile Town"


def test_a_subdistrict_and_a_village():
    assert english_name("乌峰街道") == "Wufeng Subdistrict"
    assert english_name("黄草村") == "Huangcao Village"
