"""Chinese places, departments and ministries the farm names its sites after.

Region codes are real GB/T 2260 codes and the host labels follow the real portals'
(www.sz.gov.cn, fgw.sz.gov.cn), so the identifiers on a farm page look like the real ones
the checks will meet. Synthetic counties are made from pinyin syllables when a large farm
needs more names than the real list holds; they borrow their prefecture's code.
"""

from __future__ import annotations

from typing import NamedTuple

# Province-level abbreviation character by the first two digits of a region code (as used in
# 公网安备 and ICP numbers).
PROVINCE_CHARS: dict[str, str] = {
    "11": "京", "12": "津", "31": "沪", "50": "渝", "13": "冀", "41": "豫", "53": "云",
    "21": "辽", "23": "黑", "43": "湘", "34": "皖", "37": "鲁", "65": "新", "32": "苏",
    "33": "浙", "36": "赣", "42": "鄂", "45": "桂", "62": "甘", "14": "晋", "15": "蒙",
    "61": "陕", "22": "吉", "35": "闽", "52": "贵", "44": "粤", "63": "青", "54": "藏",
    "51": "川", "64": "宁", "46": "琼",
}


class Place(NamedTuple):
    code: str  # GB/T 2260
    zh: str  # full name, e.g. 深圳市 or 深圳市罗湖区
    label: str  # host label, e.g. sz
    en: str
    tier: str  # registry tier (mgov.registry.vocab.TIERS["cn"])


def _places(tier: str, rows: str) -> list[Place]:
    out = []
    for line in rows.strip().splitlines():
        code, zh, label, en = (x.strip() for x in line.split("|"))
        out.append(Place(code, zh, label, en, tier))
    return out


PROVINCES = _places("provincial", """
110000|北京市|beijing|Beijing
120000|天津市|tj|Tianjin
310000|上海市|shanghai|Shanghai
500000|重庆市|cq|Chongqing
440000|广东省|gd|Guangdong Province
330000|浙江省|zj|Zhejiang Province
320000|江苏省|jiangsu|Jiangsu Province
510000|四川省|sc|Sichuan Province
420000|湖北省|hubei|Hubei Province
370000|山东省|shandong|Shandong Province
410000|河南省|henan|Henan Province
350000|福建省|fujian|Fujian Province
430000|湖南省|hunan|Hunan Province
340000|安徽省|ah|Anhui Province
130000|河北省|hebei|Hebei Province
210000|辽宁省|ln|Liaoning Province
610000|陕西省|shaanxi|Shaanxi Province
530000|云南省|yn|Yunnan Province
450000|广西壮族自治区|gxzf|Guangxi Zhuang Autonomous Region
360000|江西省|jiangxi|Jiangxi Province
620000|甘肃省|gansu|Gansu Province
140000|山西省|shanxi|Shanxi Province
520000|贵州省|guizhou|Guizhou Province
220000|吉林省|jl|Jilin Province
230000|黑龙江省|hlj|Heilongjiang Province
150000|内蒙古自治区|nmg|Inner Mongolia Autonomous Region
650000|新疆维吾尔自治区|xinjiang|Xinjiang Uygur Autonomous Region
640000|宁夏回族自治区|nx|Ningxia Hui Autonomous Region
630000|青海省|qinghai|Qinghai Province
540000|西藏自治区|xizang|Tibet Autonomous Region
460000|海南省|hainan|Hainan Province
""")

PREFECTURES = _places("prefecture", """
440100|广州市|gz|Guangzhou
440300|深圳市|sz|Shenzhen
440600|佛山市|foshan|Foshan
441900|东莞市|dg|Dongguan
330100|杭州市|hangzhou|Hangzhou
330200|宁波市|ningbo|Ningbo
320100|南京市|nanjing|Nanjing
320500|苏州市|suzhou|Suzhou
510100|成都市|chengdu|Chengdu
420100|武汉市|wuhan|Wuhan
370100|济南市|jinan|Jinan
370200|青岛市|qingdao|Qingdao
410100|郑州市|zhengzhou|Zhengzhou
350100|福州市|fuzhou|Fuzhou
350200|厦门市|xm|Xiamen
430100|长沙市|changsha|Changsha
340100|合肥市|hefei|Hefei
130100|石家庄市|sjz|Shijiazhuang
130600|保定市|bd|Baoding
130400|邯郸市|hd|Handan
210100|沈阳市|shenyang|Shenyang
210200|大连市|dl|Dalian
610100|西安市|xa|Xi'an
530100|昆明市|km|Kunming
450100|南宁市|nanning|Nanning
360100|南昌市|nc|Nanchang
620100|兰州市|lanzhou|Lanzhou
140100|太原市|taiyuan|Taiyuan
520100|贵阳市|guiyang|Guiyang
220100|长春市|changchun|Changchun
230100|哈尔滨市|harbin|Harbin
150100|呼和浩特市|huhhot|Hohhot
650100|乌鲁木齐市|urumqi|Urumqi
640100|银川市|yinchuan|Yinchuan
630100|西宁市|xining|Xining
540100|拉萨市|lasa|Lhasa
460100|海口市|haikou|Haikou
""")

COUNTIES = _places("county", """
440303|深圳市罗湖区|szlh|Luohu District, Shenzhen
440304|深圳市福田区|szft|Futian District, Shenzhen
440305|深圳市南山区|szns|Nanshan District, Shenzhen
110105|北京市朝阳区|bjchy|Chaoyang District, Beijing
110107|北京市石景山区|bjsjs|Shijingshan District, Beijing
310115|上海市浦东新区|pudong|Pudong New Area, Shanghai
330106|杭州市西湖区|hzxh|Xihu District, Hangzhou
510104|成都市锦江区|cdjj|Jinjiang District, Chengdu
""")


class Dept(NamedTuple):
    label: str
    zh: str
    en: str


DEPARTMENTS = [Dept(*(x.strip() for x in line.split("|"))) for line in """
fgw|发展和改革委员会|Development and Reform Commission
jyj|教育局|Education Bureau
gaj|公安局|Public Security Bureau
mzj|民政局|Civil Affairs Bureau
czj|财政局|Finance Bureau
rsj|人力资源和社会保障局|Human Resources and Social Security Bureau
zjj|住房和城乡建设局|Housing and Urban-Rural Development Bureau
jtj|交通运输局|Transport Bureau
slj|水利局|Water Resources Bureau
nyncj|农业农村局|Agriculture and Rural Affairs Bureau
swj|商务局|Commerce Bureau
wjw|卫生健康委员会|Health Commission
tyj|体育局|Sports Bureau
yjglj|应急管理局|Emergency Management Bureau
scjgj|市场监督管理局|Administration for Market Regulation
tjj|统计局|Statistics Bureau
ybj|医疗保障局|Healthcare Security Bureau
sfj|司法局|Justice Bureau
kjj|科学技术局|Science and Technology Bureau
gxj|工业和信息化局|Industry and Information Technology Bureau
zrzyj|自然资源局|Natural Resources Bureau
sthjj|生态环境局|Ecology and Environment Bureau
wglj|文化广电旅游局|Culture, Radio, Television and Tourism Bureau
tyjrj|退役军人事务局|Veterans Affairs Bureau
sjj|审计局|Audit Bureau
lyj|林业局|Forestry Bureau
xfj|信访局|Letters and Calls Bureau
zwfw|政务服务数据管理局|Government Services and Data Administration
cgj|城市管理和综合执法局|Urban Management and Law Enforcement Bureau
gzw|国有资产监督管理委员会|State-owned Assets Supervision and Administration Commission
""".strip().splitlines()]


class Ministry(NamedTuple):
    label: str
    zh: str
    en: str
    bm: str  # the two digits after "bm" in the ministry's site codes


MINISTRIES = [Ministry(*(x.strip() for x in line.split("|"))) for line in """
mofcom|商务部|Ministry of Commerce|06
miit|工业和信息化部|Ministry of Industry and Information Technology|07
moe|教育部|Ministry of Education|05
mof|财政部|Ministry of Finance|14
mohrss|人力资源和社会保障部|Ministry of Human Resources and Social Security|15
mee|生态环境部|Ministry of Ecology and Environment|17
mohurd|住房和城乡建设部|Ministry of Housing and Urban-Rural Development|18
mot|交通运输部|Ministry of Transport|19
mwr|水利部|Ministry of Water Resources|20
moa|农业农村部|Ministry of Agriculture and Rural Affairs|21
nhc|国家卫生健康委员会|National Health Commission|24
most|科学技术部|Ministry of Science and Technology|08
mca|民政部|Ministry of Civil Affairs|11
moj|司法部|Ministry of Justice|12
mnr|自然资源部|Ministry of Natural Resources|16
stats|国家统计局|National Bureau of Statistics|36
samr|国家市场监督管理总局|State Administration for Market Regulation|30
mem|应急管理部|Ministry of Emergency Management|29
""".strip().splitlines()]

# Ministries sit in Beijing: their 公网安备 numbers start with 西城区's code.
MINISTRY_REGION = "110102"

# Syllables (pinyin, character) for synthetic county names.
SYLLABLES = [tuple(p.split(":")) for p in """
an:安 bai:白 bao:宝 bei:北 chang:长 cheng:城 chun:春 da:大 dan:丹 de:德 dong:东 feng:丰 fu:福 gao:高
guang:广 gui:桂 hai:海 he:和 heng:恒 hong:洪 hua:华 huai:怀 jia:嘉 jian:建 jiang:江 jin:金 jing:景
kang:康 lan:兰 le:乐 li:丽 lin:林 long:龙 lu:鹿 mei:梅 ming:明 nan:南 ning:宁 ping:平 qing:青 quan:泉
rong:荣 rui:瑞 shan:山 shou:寿 shun:顺 song:松 tai:泰 tian:天 xi:西 xiang:祥 xin:新 xing:兴 yang:阳
yi:宜 yong:永 yuan:元 yun:云 ze:泽 zhao:昭
""".split()]  # noqa: SIM905 - a table, not code
