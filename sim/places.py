"""Places and organs of the simulated world: real county names and codes first, then synthetic ones.

A portal's place comes from its archetype's provinces (TRS sites in 湖南/湖北/四川, gkmlpt in
广东, the Beijing platform in 北京 …), so a small world reads like the real thing. Past the real
list, names are built from an index in a mixed radix over character pools that no real name
starts with, one disjoint pool per archetype: every agency name in a world of any size is unique
without keeping global state, which is what lets portal i be generated without portals 0…i-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PROVINCES: Final = {
    "11": "北京市",
    "13": "河北省",
    "14": "山西省",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "61": "陕西省",
    "62": "甘肃省",
}

# Real county-level places (name, 行政区划代码) per province.
_REAL: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "43": (
        ("湘乡市", "430381"),
        ("平江县", "430626"),
        ("宁乡市", "430182"),
        ("浏阳市", "430181"),
        ("醴陵市", "430281"),
        ("汨罗市", "430681"),
        ("临湘市", "430682"),
        ("桃江县", "430922"),
        ("安化县", "430923"),
        ("沅江市", "430981"),
        ("赫山区", "430903"),
        ("岳阳县", "430621"),
        ("华容县", "430623"),
        ("湘阴县", "430624"),
        ("君山区", "430611"),
        ("江永县", "431125"),
        ("祁阳市", "431181"),
        ("邵东市", "430582"),
        ("隆回县", "430524"),
        ("武冈市", "430581"),
        ("涟源市", "431382"),
        ("双峰县", "431321"),
        ("新化县", "431322"),
        ("芷江侗族自治县", "431228"),
    ),
    "42": (
        ("茅箭区", "420302"),
        ("房县", "420325"),
        ("竹山县", "420323"),
        ("郧西县", "420322"),
        ("丹江口市", "420381"),
        ("保康县", "420626"),
        ("谷城县", "420625"),
    ),
    "51": (("茂县", "513223"), ("汶川县", "513221"), ("理县", "513222")),
    "33": (
        ("仙居县", "331024"),
        ("天台县", "331023"),
        ("临海市", "331082"),
        ("建德市", "330182"),
        ("桐庐县", "330122"),
        ("淳安县", "330127"),
        ("富阳区", "330111"),
        ("遂昌县", "331123"),
        ("缙云县", "331122"),
    ),
    "44": (
        ("龙岗区", "440307"),
        ("宝安区", "440306"),
        ("福田区", "440304"),
        ("罗湖区", "440303"),
        ("南山区", "440305"),
        ("江城区", "441702"),
        ("阳春市", "441781"),
        ("阳西县", "441721"),
    ),
    "11": (
        ("东城区", "110101"),
        ("西城区", "110102"),
        ("朝阳区", "110105"),
        ("海淀区", "110108"),
        ("丰台区", "110106"),
        ("石景山区", "110107"),
        ("门头沟区", "110109"),
        ("房山区", "110111"),
        ("通州区", "110112"),
        ("顺义区", "110113"),
        ("昌平区", "110114"),
        ("大兴区", "110115"),
        ("怀柔区", "110116"),
        ("平谷区", "110117"),
        ("密云区", "110118"),
        ("延庆区", "110119"),
    ),
    "34": (("利辛县", "341623"), ("涡阳县", "341621"), ("蒙城县", "341622"), ("谯城区", "341602")),
    "21": (("昌图县", "211224"), ("铁岭县", "211221"), ("西丰县", "211223"), ("开原市", "211282")),
}

# Real prefecture-level cities (the jpaas archetype runs city portals).
_REAL_CITIES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "32": (
        ("泰州市", "321200"),
        ("宿迁市", "321300"),
        ("南通市", "320600"),
        ("扬州市", "321000"),
        ("盐城市", "320900"),
        ("淮安市", "320800"),
        ("连云港市", "320700"),
        ("镇江市", "321100"),
    ),
}

# Where each archetype's portals are, and whether they are county-level or city governments.
ARCHETYPE_PROVINCES: Final[dict[str, tuple[str, ...]]] = {
    "county": ("43",),
    "trs": ("42", "51"),
    "hanweb": ("33",),
    "gkmlpt": ("44",),
    "jpaas": ("32",),
    "beijing": ("11",),
    "js_only": ("34", "21"),
}
CITY_ARCHETYPES: Final = frozenset({"jpaas"})

_FIRST_CANDIDATES: Final = (
    "青安宁永丰兴昌德泉林源怀远瑞嘉景乐和清鹤云溪凤麒骏岚桦楠荷苍黛澄霁璟珑琨煜熙朗韶晟"
    "翠碧杉枫桂槐柏榆棠蓬芦菁荻茗蔚霞曦昊旻晖昀暄晏曜晴"
)
_SECOND: Final = "阳山江河川城平溪泉原陵州台岭阜塘湖滨宁安丰田坪冈峰谷津浦湾洲屯桥堡"
_THIRD: Final = "东西南北中上下新"


def _first_pools() -> dict[str, str]:
    """Disjoint first-character pools, one per archetype, avoiding every real name's first character."""
    taken = {name[0] for places in (*_REAL.values(), *_REAL_CITIES.values()) for name, _ in places}
    free = "".join(dict.fromkeys(c for c in _FIRST_CANDIDATES if c not in taken))
    size = len(free) // len(ARCHETYPE_PROVINCES)
    return {a: free[i * size : (i + 1) * size] for i, a in enumerate(ARCHETYPE_PROVINCES)}


_POOLS: Final = _first_pools()
# Synthetic cities get prefecture codes 50..99 in one province after another.
_CITY_PROVINCES: Final = ("32", "37", "41", "36", "45", "52", "53", "61", "62", "13", "14", "22", "23", "35")
_SYNTHETIC_PER_PREFIX: Final = 60  # county codes 20..79 under one synthetic prefecture code


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # 湘乡市
    code: str  # 430381
    province: str  # 43
    city: bool  # a prefecture-level city government (level "city"), else county-level


def _synthetic_name(archetype: str, j: int, suffixes: str) -> str:
    first, n = _POOLS[archetype], len(_POOLS[archetype])
    core = first[j % n] + _SECOND[(j // n) % len(_SECOND)]
    rest = j // (n * len(_SECOND))
    if rest:
        core += _THIRD[(rest - 1) % len(_THIRD)] * (1 + (rest - 1) // len(_THIRD))
    return core + suffixes[j % len(suffixes)]


def place(archetype: str, j: int) -> Place:
    """The j-th place of an archetype's portals (j counts that archetype's portals from 0)."""
    provinces = ARCHETYPE_PROVINCES[archetype]
    city = archetype in CITY_ARCHETYPES
    real = [(n, c, p) for p in provinces for n, c in (_REAL_CITIES if city else _REAL).get(p, ())]
    if j < len(real):
        name, code, prov = real[j]
        return Place(name, code, prov, city)
    k = j - len(real)
    prov = provinces[0]
    prefecture, county = 50 + k // _SYNTHETIC_PER_PREFIX, 20 + k % _SYNTHETIC_PER_PREFIX
    if prefecture > 99:
        raise ValueError(f"too many {archetype} portals for synthetic region codes")
    if city:
        prov = _CITY_PROVINCES[k // 50 % len(_CITY_PROVINCES)]
        return Place(_synthetic_name(archetype, k, "市"), f"{prov}{50 + k % 50:02d}00", prov, city)
    return Place(_synthetic_name(archetype, k, "县市区"), f"{prov}{prefecture:02d}{county:02d}", prov, city)


@dataclass(frozen=True, slots=True)
class Department:
    name: str  # 民政局
    slug: str  # mzj: sub-column folders are named like this on real sites
    short: str  # 民政局 → how its reports may name it
    former: str | None = None  # its name before the 2018 reorganisation: reports on 2018 and before use it


RENAMED_AFTER: Final = 2018  # the 2018 机构改革: departments renamed from the 2019 reports on


DEPARTMENTS: Final = (
    Department("民政局", "mzj", "民政局"),
    Department("人力资源和社会保障局", "rsj", "人社局"),
    Department("财政局", "czj", "财政局"),
    Department("教育局", "jyj", "教育局"),
    Department("卫生健康局", "wjj", "卫健局", "卫生和计划生育局"),
    Department("自然资源局", "zrzyj", "自然资源局", "国土资源局"),
    Department("住房和城乡建设局", "zjj", "住建局"),
    Department("交通运输局", "jtysj", "交通运输局"),
    Department("农业农村局", "nyncj", "农业农村局", "农业局"),
    Department("市场监督管理局", "scjgj", "市场监管局", "工商行政管理局"),
    Department("司法局", "sfj", "司法局"),
    Department("审计局", "sjj", "审计局"),
    Department("统计局", "tjj", "统计局"),
    Department("应急管理局", "yjglj", "应急管理局", "安全生产监督管理局"),
    Department("医疗保障局", "ybj", "医保局"),
    Department("退役军人事务局", "tyjrswj", "退役军人事务局"),
    Department("水利局", "slj", "水利局"),
    Department("商务局", "swj", "商务局"),
    Department("发展和改革局", "fgj", "发改局"),
    Department("人民政府办公室", "zfb", "政府办"),
)

# Township-level units: (name, slug). 街道 publish as 街道办事处, 镇/乡 as 人民政府.
TOWNS: Final = (
    ("楠木坪镇", "nmpz"),
    ("熊官屯镇", "xgtz"),
    ("下各镇", "xgz"),
    ("望疃镇", "wtz"),
    ("大川镇", "dcz"),
    ("七家子镇", "qjzz"),
    ("王庄集镇", "wzjz"),
    ("龙潭镇", "ltz"),
    ("白马镇", "bmz"),
    ("新塘镇", "xtz"),
    ("石门乡", "smx"),
    ("黄金乡", "hjx"),
    ("梅溪乡", "mxx"),
    ("南岳庙镇", "nymz"),
    ("金石镇", "jsz"),
    ("花明楼镇", "hmlz"),
    ("城关街道", "cgjd"),
    ("东山街道", "dsjd"),
    ("桃花江镇", "thjz"),
    ("月山镇", "ysz"),
)


def township_name(place_name: str, town: str) -> str:
    """The registry name: the county prefix keeps names unique across the whole world."""
    return f"{place_name}{town}{'办事处' if town.endswith('街道') else '人民政府'}"
