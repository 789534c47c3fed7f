"""Small closed word lists for reading Chinese news: titles, place and organisation suffixes, synonyms
(measure words and units are in rag.text)."""

from __future__ import annotations

TITLES = (
    "书记", "副书记", "局长", "副局长", "主任", "副主任", "所长", "校长", "部长", "经理", "负责人", "主席",
    "市长", "县长", "区长", "镇长", "乡长", "村长", "院长", "董事长", "总经理", "队长", "大队长", "站长",
    "厂长", "处长", "科长", "组长", "教导员", "政委", "委员", "常委", "代表", "教授", "专家", "老师",
    "教师", "记者", "民警", "辅警", "医生", "主持人", "发言人", "负责同志", "主管", "总监", "秘书长",
    "干部", "领导", "项目经理", "技术负责人", "工委书记", "纪委书记", "市委书记", "县委书记", "区领导",
    "总理", "总统", "首相", "总裁", "首席执行官", "首席技术官", "创始人", "船长", "机长", "教练", "主教练",
    "省长", "州长", "大使", "法官", "检察官", "律师", "警官", "嫌疑人", "作者", "导演", "主演", "球员", "选手",
    "副总裁", "执行副总裁", "高级副总裁", "副总经理", "执行董事", "董事", "理事长", "会长", "副会长",
    "总工程师", "首席科学家", "科学家", "研究员", "院士", "CEO", "CTO", "CFO", "COO",
)

# Words jieba tags as places that name a kind of place or a direction, not one place: not an entity
# of a question ('哪座城市' asks for a city), not the answer to '哪个国家'.
NOT_PLACE_NAMES = frozenset({
    "城市", "国家", "地方", "地区", "小区", "省份", "首都", "海外", "国内", "全国", "全球", "世界", "农村",
    "城区", "郊区", "乡村", "社区", "当地", "本地", "外地", "各地", "上市", "中方", "东方", "南方", "北方",
    "西方",
})

# Suffixes of names of places and organisations (the answer to 哪里 / 哪所 / 哪家).
PLACE_SUFFIXES = (
    "省", "市", "县", "区", "镇", "乡", "村", "街道", "社区", "路", "街", "小区", "园区", "新区", "开发区",
    "广场", "公园", "景区", "湖", "江", "河", "山", "岛", "港", "站", "基地", "中心",
)
ORG_SUFFIXES = (
    "学校", "小学", "中学", "大学", "学院", "幼儿园", "完小", "医院", "公司", "集团", "银行", "派出所",
    "局", "委", "厅", "部", "办", "院", "所", "会", "协会", "中心", "馆", "站", "厂", "队", "团",
)

# Words that carry no content in a question: question words, particles, light verbs.
QUESTION_STOP = frozenset(
    ["多少", "几", "谁", "什么", "哪", "哪些", "哪个", "哪里", "哪儿", "哪位", "哪所", "哪家", "哪天", "哪年", "哪一年", "哪一天", "哪几", "怎么", "怎样", "如何", "为什么", "为何", "是", "的", "了", "在", "有", "和", "与", "及", "把", "被", "给", "对", "从", "向", "到", "吗", "呢", "啊", "吧", "呀", "又", "还", "都", "也", "就", "那", "这", "那么", "这个", "那个", "这些", "那些", "他", "她", "它", "他们", "她们", "它们", "其", "该", "此", "叫", "名字", "一共", "总共", "共", "分别", "各", "各自", "主要", "具体", "请问", "请", "问", "能", "会", "要", "想", "用", "做", "搞", "时候", "时间", "何时", "地方", "方面", "情况", "一下", "出", "来", "去", "过", "开", "几个", "多大", "多长", "多久", "何", "之", "以", "等", "呢", "是否", "么"]
)

# English nouns of common news questions, mapped to the Chinese words an answer sentence would hold.
EN_NOUNS: dict[str, str] = {
    "police officers?": "民警|警察|警力",
    "students?": "学生",
    "teachers?": "教师|老师",
    "schools?": "学校|所",
    "parents?": "家长",
    "cases?": "案件|件|起",
    "meetings?": "会",
    "sessions?": "场|次",
    "villages?": "村",
    "households?": "户",
    "volunteers?": "志愿",
    "enterprises|companies|firms": "企业|公司|家",
    "projects?": "项目",
    "leaders?": "一把手|领导|负责人",
    "cadres?|officials?": "干部",
    "platforms?": "平台",
    "talents?": "人才",
    "investment": "投资|元",
    "director|head|chief": "局长|所长|主任|负责人|书记",
    "mayor": "市长",
    "secretary": "书记",
    "manager": "经理",
    "hosted|host|presided|chaired": "主持",
}


# Near-synonyms that news reports use interchangeably for the same event or relation. A question
# word matches its sentence when any word of its group occurs ('动工' in a question, '开工' in the
# report). Closed and general: verbs of building, ranking, founding and publishing, common nouns.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("开工", "动工", "开建", "破土动工", "开始建设", "启动建设"),
    ("投运", "投产", "投入运行", "投入使用", "并网运行"),
    ("建成", "竣工", "完工", "落成", "建好"),
    ("第一位", "首位", "首要位置", "第一位置"),
    ("第一个", "率先", "首个", "首家", "首次", "首创", "第一家", "首座"),
    ("放在", "摆在", "置于"),
    ("成立", "组建", "设立", "建立", "成立了"),
    ("举行", "举办", "召开"),
    ("荣誉", "称号", "奖项", "殊荣", "获评", "评为", "授予"),
    ("出台", "印发", "制定", "颁布"),
    ("孩子", "学生", "儿童", "小朋友", "孩子们"),
    ("父母", "家长"),
    ("老师", "教师"),
    ("警察", "民警", "警员"),
    ("花费", "投资", "耗资"),
    ("增长", "增加", "提高", "上升", "提升"),
    ("下降", "减少", "降低"),
    ("开始", "启动", "开启"),
    ("设在", "位于", "坐落于", "地处", "落户"),
    ("关停", "停止运营", "停运", "关闭", "关门", "下线", "停止服务"),
    ("发售", "开售", "上市", "推出"),
    ("改名", "更名", "改叫", "改称", "易名"),
    ("参展", "亮相", "展出"),
    ("发布", "推出", "公布", "宣布"),
    ("去世", "逝世", "离世", "病逝"),
    ("逮捕", "抓获", "抓捕", "落网"),
    ("起火", "着火", "失火", "发生火灾", "火灾"),
    ("代号", "番号", "名为", "称为"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {w: g for g in SYNONYM_GROUPS for w in g}
