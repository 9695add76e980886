"""The words of the farm's new-media posts: government posts in Chinese and English, the
advertising of newmedia.commercial, the misspellings of newmedia.wording (taken from the
website checks' expression dictionary), and the names accounts go by. Data and small
builders only; platform_posts.py picks from them.

Healthy text carries no dictionary term and no advertising word (tests/test_farm_platforms.py
sweeps it): no 广告, 优惠, 购买, 折, 券, 红包, 抽奖, 扫码; no sponsored, promo, coupon, buy, % off.
"""

from __future__ import annotations

from mgov.content.rules import ContentRules

ZH_TOPICS = ("数字政府建设", "城市更新", "养老服务体系建设", "促进就业创业", "生态环境保护",
             "营商环境优化", "安全生产专项整治", "乡村振兴", "义务教育优质均衡发展", "医疗保障",
             "老旧小区改造", "防汛抗旱", "科技创新", "文化旅游融合发展", "食品安全")
EN_TOPICS = ("the capital improvement plan", "water rates", "the parks master plan",
             "emergency preparedness", "housing assistance", "road resurfacing",
             "the library expansion", "stormwater management", "small business grants",
             "the transit study", "recycling services", "public health programs")
ZH_TAGS = ("政务公开", "便民服务", "民生关注", "政策解读", "安全提示")
EN_TAGS = ("CityNews", "PublicNotice", "CommunityMeeting", "ServiceUpdate", "StaySafe")

# (title, paragraphs, has a link) per kind of post; {org} {topic} {md} are filled in.
ZH_POSTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("{org}召开{topic}工作推进会",
     ("{md}，{org}召开{topic}工作推进会，总结前一阶段工作，研究部署下一阶段重点任务。",
      "会议指出，{topic}事关群众切身利益，各相关单位要进一步提高思想认识，压实工作责任，细化工作举措。",
      "会议要求，要坚持问题导向，加强统筹协调，确保各项任务按时保质完成。"), False),
    ("【便民提示】{service}",
     ("{org}提醒：{service}。", "详情可登录政府网站查询，或拨打12345政务服务便民热线咨询。"), True),
    ("【政策解读】一图读懂《{topic}实施方案》",
     ("近日，《{topic}实施方案》正式印发。", "方案明确了总体要求、重点任务和保障措施，一起来看。"), True),
    ("【温馨提示】{tip_title}", ("{tip}",), False),
    ("【公示】关于{topic}项目的公示",
     ("根据有关规定，现将{topic}项目有关情况予以公示，公示期为5个工作日。",
      "公示期间如有异议，请以书面形式向{org}反映。"), True),
    ("{org}开展{topic}专题调研",
     ("{md}，{org}主要负责同志带队赴基层开展{topic}专题调研，实地察看项目进展，听取意见建议。",
      "调研指出，要聚焦群众急难愁盼问题，推动各项措施落地见效。"), False),
)
ZH_SERVICES = ("政务服务中心延时服务窗口周六上午正常开放", "社保卡线上申领渠道已开通，可在政务服务网办理",
               "不动产登记实行预约办理，办理前请先在线预约", "义务教育阶段招生报名将于下周一开始，请家长留意报名时间",
               "住房公积金提取业务可网上办理，无需到窗口排队")
ZH_TIPS = (("防寒保暖", "近期气温下降明显，请注意防寒保暖，老人和儿童尤需注意。"),
           ("汛期安全", "汛期将至，请关注天气预报，雨天出行注意安全，远离河道和低洼地带。"),
           ("出行安全", "节假日期间出行人数增多，请合理安排出行时间，自觉遵守交通规则。"),
           ("防范诈骗", "请提高防范意识，谨防电信网络诈骗，不轻信陌生来电，不透露验证码。"),
           ("森林防火", "森林防火期内，严禁携带火种进山入林，发现火情请立即拨打报警电话。"))
EN_POSTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("{org} hosts a community meeting on {topic}",
     ("Join {org} for a community meeting on {topic} on {weekday} at 6 p.m. at City Hall.",
      "Residents can share comments in person or online."), True),
    ("Service update", ("{service}",), True),
    ("New report on {topic}",
     ("Our annual report on {topic} is now available.", "Read the key findings and next steps online."), True),
    ("Safety tip", ("{tip}",), False),
    ("Public notice: {topic}",
     ("A public hearing on {topic} will be held next month.",
      "Written comments are accepted until the end of the month."), True),
    ("Thank you", ("Thanks to everyone who joined us for the open house on {topic}.",
                   "Presentation materials will be posted this week."), False),
)
EN_SERVICES = ("Trash and recycling pickup will be one day later next week because of the holiday.",
               "City Hall service counters open at 8 a.m. starting Monday.",
               "You can now renew permits online; no office visit needed.",
               "The public library extends weekend hours through the end of the season.",
               "Water bills can be paid online or by phone.")
EN_TIPS = ("Cold weather is coming: check on elderly neighbors and keep pets indoors.",
           "Heavy rain is expected this weekend; avoid flooded roads.",
           "Slow down in school zones; students are back in class.",
           "Be alert to phone scams: city staff will never ask you for payment over the phone.",
           "Test your smoke alarms when you change your clocks.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday")

# A repost (Weibo): the national portal's post.
ZH_REPOST_SAYS = "认真学习，抓好落实。"
ZH_REPOST = ("中国政府网",
             "【国务院常务会议部署推进{topic}】会议指出，要完善政策举措，强化协同配合，推动{topic}取得新成效。")

# newmedia.commercial: an advertisement posted as the account's own (text and a shop link).
ZH_AD = ("【广告】{brand}限时优惠", "【广告】{brand}年终大促，全场低至5折，新用户领取优惠券立减50元，点击购买→")
EN_AD = ("Sponsored: {brand} sale", "Sponsored: limited-time offer from {brand}! 50% off all smart watches, "
         "use promo code GOV50 and buy now:")
ZH_BRANDS = ("某某智能手表旗舰店", "优选好物商城")
EN_BRANDS = ("QuickBuy Mall", "Best Deals Outlet")

# newmedia.wording: sentences around misspelt official terms; only those whose term is in the
# website checks' expression dictionary are used (expression_sentences).
_ZH_WRONG = (
    ("国务院总里", "会议传达学习了国务院总里在国务院常务会议上的重要讲话精神，研究部署贯彻落实工作。"),
    ("中华人名共和国", "依据《中华人名共和国政府信息公开条例》，现将有关情况公开如下。"),
    ("人民政俯", "{place}人民政俯召开常务会议，研究部署{topic}工作。"),
    ("依法制国", "要坚持依法制国，不断提升依法行政水平。"),
)
_EN_WRONG = (
    ("Goverment", "The City Goverment will host a public meeting on {topic} next week."),
    ("Comittee", "The Planning Comittee meets Thursday to review {topic}."),
    ("Adminstration", "The Adminstration will publish its report on {topic} this month."),
)

# epoch 2, newmedia.post_edited: what the edit adds.
ZH_EDIT = "（本条信息已更新：活动地点调整为市民中心二楼。）"
EN_EDIT = " [Updated: the meeting moves to Room 201.]"


def expression_sentences(zh: bool) -> list[tuple[str, str, str]]:
    """(wrong, right, sentence) for the terms of the expression dictionary we have a sentence for."""
    right = dict(ContentRules().expressions)
    return [(w, right[w], s) for w, s in (_ZH_WRONG if zh else _EN_WRONG) if w in right]


def place_of(org_zh: str) -> str:
    """深圳市人民政府 -> 深圳市; 深圳市发展和改革委员会 -> 深圳市 (the leading place name)."""
    for end in ("人民政府", "政府"):
        if org_zh.endswith(end):
            return org_zh[: -len(end)]
    for mark in ("市", "县", "区", "州", "省"):
        i = org_zh.find(mark)
        if 0 < i < 8:
            return org_zh[: i + 1]
    return org_zh


def short_place(place: str) -> str:
    """深圳市 -> 深圳; 深圳市罗湖区 -> 罗湖; 广东省 -> 广东 (the name a 发布 account uses)."""
    for end in ("自治区", "自治州", "省", "市", "区", "县"):
        if place.endswith(end) and len(place) > len(end) + 1:
            place = place[: -len(end)]
            break
    return place.rsplit("市", 1)[-1] or place
