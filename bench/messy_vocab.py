"""What the messy corpus is made of: organisations and their short forms, synonyms, phrases,
the simulated OCR confusion table, homophones, 备注 phrases and Chinese-numeral dates."""
from __future__ import annotations

from dataclasses import dataclass

CITIES = ("当阳市", "宜都市", "枝江市", "汉川市", "应城市", "安陆市")
COUNTIES = ("远安县", "兴山县", "秭归县", "保康县", "南漳县", "谷城县")
TOWNS = ("半月镇", "玉阳镇", "两河镇", "河溶镇", "王店镇", "草埠湖镇", "淯溪镇", "庙前镇")


@dataclass(frozen=True, order=True)
class Org:
    full: str  # 当阳市档案局
    short: str  # 当阳档案局: what a clerk types
    prefix: str  # 当档发: its 文号 prefix


def make_orgs() -> tuple[Org, ...]:
    """Full forms with the everyday short form (drop 市/县, drop 人民, 委员会 → 委)."""
    orgs = []
    for city in CITIES:
        orgs.append(Org(f"{city}档案局", f"{city[:-1]}档案局", f"{city[0]}档发"))
        orgs.append(Org(f"{city}人民政府", f"{city}政府", f"{city[0]}政发"))
        orgs.append(Org(f"中共{city}委员会", f"{city}委", f"{city[0]}市发"))
    for county in COUNTIES:
        orgs.append(Org(f"{county}人民政府", f"{county}政府", f"{county[0]}政发"))
        orgs.append(Org(f"中共{county}委员会", f"{county}委", f"{county[0]}发"))
        orgs.append(Org(f"{county}财政局", f"{county[:-1]}财政局", f"{county[0]}财发"))
    for town in TOWNS:
        orgs.append(Org(f"{town}人民政府", f"{town}政府", f"{town[:-1]}政"))
    return tuple(orgs)


ORGS = make_orgs()

# full form ↔ abbreviation (both are written in the corpus; either is typed)
SYNONYMS = (("计划生育", "计生"), ("交通管理", "交管"), ("社会治安综合治理", "综治"))
SYNONYM_CLAUSES = ("全面落实{s}各项措施", "{s}工作取得新进展", "做好{s}相关工作")

# phrases of three or more characters that clerks search for (and mistype)
PHRASES = ("档案保密", "交通安全管理", "安全生产检查", "防汛抗旱", "档案数字化", "城乡低保",
           "退役军人优抚", "森林防火", "农村危房改造", "土地确权登记")
PHRASE_CLAUSES = ("切实做好{s}工作", "{s}是当前的重点", "要求加强{s}")

NOTES = ("原件字迹模糊", "附件缺失", "含领导批示意见", "复印件原件另存", "页码有误已更正",
         "红头文件加盖印章", "会议记录手写稿")

# look-alike characters as a simulated OCR misreads them (the search side builds its own
# table from real OCR; this one is the benchmark's, on purpose independent of it)
CONFUSIONS = {
    "成": "戍", "青": "育", "己": "已", "未": "末", "镇": "填", "理": "里", "王": "玉",
    "人": "入", "大": "太", "日": "曰", "土": "士", "天": "夭", "明": "朋", "平": "乎",
    "国": "围", "刘": "划", "李": "季", "杨": "扬", "陈": "阵", "军": "车", "华": "毕",
    "档": "挡", "局": "届", "政": "玫", "建": "健", "林": "材", "玉": "王",
    "阳": "队", "安": "宋", "县": "具", "市": "巿", "员": "贝", "峰": "锋", "辉": "晖",
    "红": "虹", "晓": "晚", "剑": "到", "斌": "赋", "宇": "字",
}

# same-sound characters for typos (a clerk's input method offers them)
HOMOPHONES = {
    "成": "城程承诚", "建": "剑见件健", "平": "评萍瓶凭", "明": "名鸣铭", "王": "汪旺",
    "档": "当党挡", "案": "按岸暗", "密": "蜜觅", "理": "里礼李", "管": "馆贯", "局": "居举",
    "政": "正证", "府": "付副", "镇": "振阵", "阳": "杨洋扬", "安": "岸按", "全": "权泉",
    "保": "宝报", "防": "房访", "火": "伙", "林": "琳临", "生": "声升", "产": "铲", "检": "简减",
    "查": "察茶", "字": "自", "化": "话划", "国": "果", "华": "化", "军": "君均", "伟": "为维",
    "芳": "方放", "强": "墙", "杰": "洁捷", "刚": "钢纲", "海": "害", "波": "播", "新": "心欣",
    "东": "冬", "晓": "小笑", "剑": "建见", "光": "广", "德": "得", "宏": "红洪", "志": "智治",
    "文": "闻纹", "英": "鹰", "春": "纯", "云": "运", "丽": "立力", "勇": "永涌", "敏": "民",
    "农": "浓", "村": "存", "危": "为", "房": "防", "改": "该", "造": "灶", "土": "图", "地": "第",
    "登": "灯", "记": "计纪", "数": "树", "低": "底", "优": "由", "抚": "扶", "汛": "迅",
    "旱": "汗", "通": "同", "交": "教郊", "秘": "密", "县": "现", "市": "是",
}

_CN_DIGITS = "〇一二三四五六七八九"


def cn_small(n: int) -> str:
    """1..31 in Chinese numerals: 七, 十二, 二十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (
        _CN_DIGITS[ones] if ones else "")


def cn_date(year: int, month: int, day: int) -> str:
    """二〇一六年七月二日."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year)) + f"年{cn_small(month)}月{cn_small(day)}日"


def digit_date(year: int, month: int, day: int) -> str:
    """2016年7月2日."""
    return f"{year}年{month}月{day}日"
