"""The demo farm's words: topics, title patterns, message titles and the misspelt official
terms of redflag.expression, per jurisdiction. Data only; mgov.demo.farm.content uses them."""

ZH_TOPICS = ("数字政府建设", "城市更新", "养老服务体系建设", "促进就业创业", "生态环境保护",
             "优化营商环境", "安全生产专项整治", "乡村振兴", "义务教育优质均衡发展", "医疗保障",
             "老旧小区改造", "防汛抗旱", "科技创新", "文化旅游融合发展", "食品安全")
EN_TOPICS = ("the capital improvement plan", "water rates", "the parks master plan",
             "emergency preparedness", "housing assistance", "road resurfacing",
             "the library expansion", "stormwater management", "small business grants",
             "the transit study", "recycling services", "public health programs")
TITLES = {
    "cn": {
        "news": ("{org}召开{topic}工作推进会", "{org}部署{topic}重点工作", "{org}调研{topic}工作",
                 "{topic}工作取得阶段性成效", "{org}举办{topic}专题培训", "全面推进{topic}工作"),
        "notices": ("关于做好{topic}工作的通知", "关于开展{topic}专项检查的通知",
                    "关于{topic}项目的公示", "关于调整{topic}有关事项的公告",
                    "关于组织申报{topic}项目的通知"),
        "policies": ("关于印发《{topic}实施方案》的通知", "关于推进{topic}的实施办法",
                     "《{topic}管理办法》政策解读", "关于印发《{topic}若干措施》的通知",
                     "一图读懂《{topic}三年行动计划》"),
        "personnel": ("{org}公开招聘工作人员公告（第{n}批）", "{org}拟任职干部任前公示",
                      "{org}事业单位公开招聘拟聘用人员公示", "{org}人事任免信息（第{n}号）"),
        "plans": ("{org}{year}年工作要点", "{topic}专项规划", "{org}{year}年重点工作计划",
                  "{topic}三年行动计划"),
        "services": ("{topic}办事指南", "{topic}业务办理流程", "{topic}常见问题解答",
                     "{topic}网上办理入口说明"),
        "other": ("{topic}专题", "{topic}相关数据发布", "{topic}工作情况通报", "{topic}信息公开"),
    },
    "us": {
        "news": ("{org} highlights progress on {topic}", "{org} update on {topic}",
                 "Council reviews {topic}", "New milestones for {topic}",
                 "{org} hosts community forum on {topic}"),
        "notices": ("Public notice: {topic}", "Notice of public hearing on {topic}",
                    "Service change notice: {topic}", "Notice of funding availability: {topic}"),
        "policies": ("Ordinance amending rules on {topic}", "Resolution adopting {topic} policy",
                     "Executive order on {topic}", "Administrative policy for {topic}"),
        "personnel": ("Job opening: {topic} coordinator", "Now hiring: {topic} specialist",
                      "Internship program: {topic}"),
        "plans": ("{year} strategic plan: {topic}", "Annual report on {topic}",
                  "Draft plan for {topic}"),
        "services": ("How to apply: {topic}", "Service guide: {topic}", "Online forms: {topic}"),
        "other": ("{topic} dashboard", "{topic}: project page", "Data release: {topic}"),
    },
}
MESSAGE_TITLES = {
    "cn": ("关于{topic}政策的咨询", "咨询{topic}办理流程", "关于{topic}有关问题的反映",
           "{topic}补贴何时发放", "关于{topic}工作的建议", "小区{topic}问题求助"),
    "us": ("Question about {topic}", "When will {topic} start?", "Request for information on {topic}",
           "Suggestion regarding {topic}"),
}
UNANSWERED_TITLES = {
    "cn": ("关于小区门前道路长期积水问题的反映", "咨询老年人优待证办理进度", "关于公交线路调整的建议",
           "反映农贸市场噪音扰民问题"),
    "us": ("Pothole on Main Street not fixed", "Question about my permit status",
           "Request for a crosswalk near the school", "Streetlight out on Oak Avenue"),
}
# redflag.expression: (wrong, right, the article's sentence that carries the wrong form).
EXPRESSIONS = (
    ("国务院总里", "国务院总理", "会议传达学习了国务院总里在国务院常务会议上的讲话精神，研究部署贯彻落实工作。"),
    ("中华人名共和国", "中华人民共和国", "会议强调，要严格依照《中华人名共和国政府信息公开条例》做好政务公开工作。"),
    ("全国人民代表大会常务委员回", "全国人民代表大会常务委员会",
     "会议传达了全国人民代表大会常务委员回有关会议精神，并就贯彻落实作出安排。"),
)
