"""Realistic publisher names: county-level places, their departments, townships and portals."""

from __future__ import annotations

import random
import re
from typing import Final

PLACES: Final = (
    "湘乡市",
    "平江县",
    "益阳市",
    "芷江侗族自治县",
    "仙居县",
    "利辛县",
    "昌图县",
    "铁岭县",
    "宁乡市",
    "浏阳市",
    "醴陵市",
    "汨罗市",
    "临湘市",
    "桃江县",
    "安化县",
    "沅江市",
    "赫山区",
    "岳阳县",
    "华容县",
    "湘阴县",
    "君山区",
    "江永县",
    "祁阳市",
    "邵东市",
    "隆回县",
    "武冈市",
    "涟源市",
    "双峰县",
    "新化县",
    "龙岗区",
    "房县",
    "竹山县",
    "郧西县",
    "丹江口市",
    "保康县",
    "谷城县",
    "东安区",
    "茂县",
)

DEPARTMENTS: Final = (
    "民政局",
    "人力资源和社会保障局",
    "财政局",
    "教育局",
    "卫生健康局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "市场监督管理局",
    "司法局",
    "审计局",
    "统计局",
    "应急管理局",
    "医疗保障局",
    "退役军人事务局",
    "水利局",
    "林业局",
    "商务局",
    "发展和改革局",
    "城市管理和综合执法局",
    "人民政府办公室",
)

TOWNS: Final = (
    "楠木坪镇",
    "熊官屯镇",
    "下各镇",
    "望疃镇",
    "大川镇",
    "七家子镇",
    "王庄集镇",
    "龙潭镇",
    "白马镇",
    "新塘镇",
    "石门乡",
    "黄金乡",
    "梅溪乡",
    "南岳庙镇",
    "金石镇",
    "花明楼镇",
    "城关街道",
    "东山街道",
    "桃花江镇",
    "月山镇",
)


def random_agency(rng: random.Random) -> str:
    """A publisher: mostly county departments, often townships, sometimes a county government."""
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(PLACES) + rng.choice(DEPARTMENTS)
    if roll < 0.9:
        town = rng.choice(TOWNS)
        if town.endswith("街道"):
            return town + "办事处"
        return town + rng.choice(("人民政府", "人民政府", ""))
    return rng.choice(PLACES) + "人民政府"


_COUNTY: Final = re.compile(r"^.+?(?:自治县|市|县|区)")


def portal_site(agency: str | None) -> str:
    """The portal a report is published on: the county government's site for its departments."""
    if agency is None:
        return "区人民政府"
    match = _COUNTY.match(agency)
    if match:
        return match.group(0) + "人民政府"
    town = agency.removesuffix("人民政府").removesuffix("办事处")
    return town + ("办事处" if town.endswith("街道") else "人民政府")


def short_name(agency: str | None) -> str:
    """How a report refers to its own publisher in running text."""
    if agency is None or agency.endswith("局"):
        return "我局"
    core = agency.removesuffix("人民政府").removesuffix("办事处")
    for suffix, name in (("镇", "我镇"), ("乡", "我乡"), ("街道", "我街道"), ("办公室", "我办")):
        if core.endswith(suffix):
            return name
    return "本机关"
