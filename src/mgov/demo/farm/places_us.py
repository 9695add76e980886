"""US states, cities and kinds of local government the farm names its .gov sites after.

A name is a city paired with a state, as in real local .gov domains (austintx.gov,
traviscountytx.gov); the pairing is free, so a large farm never runs short of names.
"""

from __future__ import annotations

from typing import NamedTuple


class State(NamedTuple):
    abbr: str
    name: str
    zh: str


STATES = [State(*(x.strip() for x in line.split("|"))) for line in """
al|Alabama|阿拉巴马州
az|Arizona|亚利桑那州
ca|California|加利福尼亚州
co|Colorado|科罗拉多州
ct|Connecticut|康涅狄格州
fl|Florida|佛罗里达州
ga|Georgia|佐治亚州
il|Illinois|伊利诺伊州
in|Indiana|印第安纳州
ia|Iowa|艾奥瓦州
ks|Kansas|堪萨斯州
ky|Kentucky|肯塔基州
ma|Massachusetts|马萨诸塞州
md|Maryland|马里兰州
mi|Michigan|密歇根州
mn|Minnesota|明尼苏达州
mo|Missouri|密苏里州
nc|North Carolina|北卡罗来纳州
ne|Nebraska|内布拉斯加州
nj|New Jersey|新泽西州
ny|New York|纽约州
oh|Ohio|俄亥俄州
ok|Oklahoma|俄克拉何马州
or|Oregon|俄勒冈州
pa|Pennsylvania|宾夕法尼亚州
tn|Tennessee|田纳西州
tx|Texas|得克萨斯州
va|Virginia|弗吉尼亚州
wa|Washington|华盛顿州
wi|Wisconsin|威斯康星州
""".strip().splitlines()]


class City(NamedTuple):
    name: str
    zh: str


CITIES = [City(*p.split(":")) for p in """
Springfield:斯普林菲尔德 Madison:麦迪逊 Austin:奥斯汀 Denver:丹佛 Portland:波特兰 Boston:波士顿 Seattle:西雅图
Phoenix:菲尼克斯 Dallas:达拉斯 Houston:休斯敦 Atlanta:亚特兰大 Miami:迈阿密 Orlando:奥兰多 Tampa:坦帕
Raleigh:罗利 Richmond:里士满 Columbus:哥伦布 Cleveland:克利夫兰 Detroit:底特律 Chicago:芝加哥
Milwaukee:密尔沃基 Omaha:奥马哈 Tulsa:塔尔萨 Memphis:孟菲斯 Nashville:纳什维尔 Louisville:路易斯维尔
Albany:奥尔巴尼 Buffalo:布法罗 Hartford:哈特福德 Providence:普罗维登斯 Salem:塞勒姆 Boise:博伊西 Reno:里诺
Fresno:弗雷斯诺 Sacramento:萨克拉门托 Oakland:奥克兰 Tucson:图森 Albuquerque:阿尔伯克基 Anchorage:安克雷奇
Honolulu:檀香山 Savannah:萨凡纳 Charleston:查尔斯顿 Lexington:列克星敦 Dayton:代顿 Akron:阿克伦
Spokane:斯波坎 Eugene:尤金 Lincoln:林肯 Wichita:威奇托 Topeka:托皮卡 Jackson:杰克逊 Mobile:莫比尔
Augusta:奥古斯塔 Franklin:富兰克林 Clinton:克林顿 Greenville:格林维尔 Fairfax:费尔法克斯 Arlington:阿灵顿
Bristol:布里斯托尔 Dover:多佛 Fremont:弗里蒙特 Georgetown:乔治敦 Marion:马里恩 Oxford:牛津 Riverside:里弗赛德
Winchester:温切斯特
""".split()]  # noqa: SIM905 - a table, not code


class Kind(NamedTuple):
    """A kind of government: how its label, names and tier are made from (city, state)."""

    label: str  # format with city, st
    en: str  # format with city, state
    zh: str  # format with city_zh, state_zh
    tier: str  # registry tier (mgov.registry.vocab.TIERS["us"])


KINDS = [
    Kind("{city}{st}", "City of {city}, {state}", "{state_zh}{city_zh}市", "city"),
    Kind("{city}county{st}", "{city} County, {state}", "{state_zh}{city_zh}县", "county"),
    Kind("{city}schools{st}", "{city} Public Schools, {state}", "{state_zh}{city_zh}公立学区",
         "school_district"),
    Kind("{city}water{st}", "{city} Water District, {state}", "{state_zh}{city_zh}水务区",
         "special_district"),
    Kind("{city}transit{st}", "{city} Transit Authority, {state}",
         "{state_zh}{city_zh}公共交通管理局", "special_district"),
]

STATE_KIND = Kind("{state_label}", "State of {state}", "{state_zh}政府", "state")
