"""Names of people in a table row: Chinese names of 2-4 characters with a common surname, and
English "First Last" with a common first name (or any such cell under a name column).

A name alone is no personal data worth a finding; beside an ID number or a mobile number in
the same row it makes the row a record of a person, and the detector counts it then.
"""

from __future__ import annotations

import re

# The common surnames (the 400 most frequent cover well over 95% of the population).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘"
    "池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠"
    "豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰"
    "赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由")
COMPOUND = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                      "司徒", "夏侯", "轩辕", "令狐", "西门", "独孤", "南宫", "端木", "百里", "呼延"})
# Words of tables that start like a surname but name no one.
NOT_NAMES = frozenset({"金额", "合计", "小计", "总计", "高新", "王府", "周一", "周二", "周三", "周四", "周五", "周六",
                       "周日", "周末", "明细", "黄金", "马路", "江苏", "江西", "湖南", "湖北", "广东", "广西", "安徽",
                       "山东", "山西", "云南", "贵州", "海南", "宁夏", "河北", "河南", "吉林", "辽宁", "福建", "浙江",
                       "甘肃", "青海", "四川", "陕西", "西藏", "新疆", "北京", "上海", "天津", "重庆", "华东", "华北",
                       "华南", "东北", "西北", "西南", "中南", "全部", "全年", "全体", "平均", "平时", "常住", "常年",
                       "农业", "农村", "城镇", "城市", "文化", "文件", "方式", "方案", "时间", "时期", "时段", "成员",
                       "成年", "单位", "单价", "单号", "申请", "申报", "安全", "安置", "康复", "和平", "应急", "应收",
                       "石油", "石化", "钱款", "项目", "简介", "任务", "任职", "关系", "关于", "包括", "宁波",
                       "丰台",
                       "海淀", "朝阳", "高中", "高校", "严重", "万元", "公司", "公示", "公告", "国家", "国内", "平台",
                       "居民", "居住", "信息", "信用", "展示", "富裕", "元月", "计划", "计算", "支出", "支付",
                       "云计算"})
_NOT_SUFFIX = frozenset("村镇乡区县市省街路巷号组室局科委办厅部所站院校队会处司厂店馆场中心户元费率数表额")
_HANZI = re.compile(r"[\u4e00-\u9fff]{2,4}")
_EN = re.compile(r"([A-Z][a-z]+)(?: [A-Z]\.?)? ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)")
FIRST_NAMES = frozenset("""
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan
Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank
Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter
Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse Jordan
Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell
Bobby Mason Philip Louis Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy
Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie
Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia
Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa
Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn
Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Carlos Luis Miguel
Maria Ana Rosa Wei Ming Li
""".split())  # noqa: SIM905 - a list of names, not code
NAME_HEADER = re.compile(r"姓\s*名|名\s*字|户\s*主|申请人|联系人|负责人|收款人|持卡人|领款人|\bname\b|\bnames\b|"
                         r"full name|recipient|applicant", re.IGNORECASE)


def zh_name(cell: str, *, under_name_column: bool = False) -> bool:
    """A Chinese person's name filling the cell (2-4 characters, a common surname first)."""
    if not _HANZI.fullmatch(cell):
        return False
    if under_name_column:
        return True
    if cell in NOT_NAMES or cell[-1] in _NOT_SUFFIX:
        return False
    if len(cell) >= 3 and cell[:2] in COMPOUND:
        return True
    return cell[0] in SURNAMES and len(cell) <= 3


def en_name(cell: str, *, under_name_column: bool = False) -> bool:
    """An English "First Last" (or "First M. Last") filling the cell, the first name common."""
    m = _EN.fullmatch(cell)
    return m is not None and (under_name_column or m.group(1) in FIRST_NAMES)


def is_name(cell: str, *, under_name_column: bool = False) -> bool:
    cell = cell.strip()
    return zh_name(cell, under_name_column=under_name_column) or en_name(cell, under_name_column=under_name_column)
