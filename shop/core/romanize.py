"""English names for divisions: Hanyu Pinyin of the proper name plus the English
word for its level (庙坝镇 → Miaoba Town), as China's own English signage does."""

from pypinyin import lazy_pinyin

# Longest first: ethnic townships before plain ones.
SUFFIXES = [
    ("苗族彝族乡", "Miao and Yi Ethnic Township"),
    ("彝族苗族乡", "Yi and Miao Ethnic Township"),
    ("苗族乡", "Miao Ethnic Township"),
    ("彝族乡", "Yi Ethnic Township"),
    ("街道", "Subdistrict"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("镇", "Town"),
    ("乡", "Township"),
    ("村", "Village"),
]
# Where the dictionary reading of a character is not the local place name's.
SPELLINGS = {"以勒": "Yile"}


def english_name(name: str) -> str:
    for suffix, english in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{_spell(name[: -len(suffix)])} {english}"
    return _spell(name)


def _spell(stem: str) -> str:
    return SPELLINGS.get(stem) or "".join(lazy_pinyin(stem)).capitalize()
