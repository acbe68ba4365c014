"""Text for the set, from two sources: sentences composed from templates (organisations,
people, villages and figures invented here, none of them in the project's corpus), and
sentences taken from the corpus's own text records (read only)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"

TOWNS = ("青山", "柳溪", "石门", "枫林", "望江", "白沙", "云岭", "桃源", "金河", "梅岭",
         "龙泉", "清水", "松岗", "红岩", "双溪", "杏花", "长岗", "凤鸣")
COUNTIES = ("平川", "安远", "溪口", "兰亭", "广陵", "高坪", "永丰", "南屏")
VILLAGES = ("东坪", "杨柳", "石塘", "马家", "新庄", "下湾", "竹园", "高桥", "前进", "和平",
            "黄土岭", "枣林", "刘家湾", "上坝", "沙河", "柏树")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程"
GIVEN = "建国秀英志强丽华明军红梅海燕永刚玉兰德胜春生桂芳文杰小平淑珍国庆金凤立新雪琴家豪子涵晓东"
TOPICS = ("防汛抗旱", "秸秆禁烧", "农村人居环境整治", "城乡居民医疗保险征缴", "森林防火",
          "冬春农田水利建设", "高龄老人津贴发放", "退役军人信息采集", "农村公路养护",
          "村级集体经济审计", "耕地保护", "安全生产大检查", "控辍保学", "农村危房排查")
WORKS = ("沟渠清淤", "护林防火通道", "道路硬化", "塘堰整修", "垃圾收集点", "危房改造")
OFFICES = ("党政办公室", "农业服务中心", "社会事务办公室", "财政所", "应急管理办公室")


@dataclass(frozen=True)
class Org:
    name: str           # 青山镇人民政府
    code: str           # 机关代字 of its 文号: 青政发
    unit: str           # how its text names itself: 镇 / 县
    superior: str       # whom its 报告 and 请示 go to


@dataclass(frozen=True)
class Document:
    """The words of one 公文."""
    org: Org
    joint: tuple[str, ...]           # further organisations of a joint header
    doc_number: str
    title: str
    to: str
    paragraphs: tuple[str, ...]
    date: str                        # YYYY-MM-DD


def person(rng: random.Random) -> str:
    n = rng.choice((1, 2, 2))
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(n))


def organisation(rng: random.Random) -> Org:
    town, county = rng.choice(TOWNS), rng.choice(COUNTIES)
    kind = rng.randrange(4)
    if kind == 0:
        return Org(f"{town}镇人民政府", f"{town[0]}政发", "镇", f"{county}县人民政府")
    if kind == 1:
        return Org(f"{town}乡人民政府", f"{town[0]}乡政发", "乡", f"{county}县人民政府")
    if kind == 2:
        bureau, code = rng.choice((("农业农村局", "农发"), ("水利局", "水字"), ("民政局", "民发")))
        return Org(f"{county}县{bureau}", f"{county[0]}{code}", "局", f"{county}县人民政府")
    return Org(f"中共{town}镇委员会", f"{town[0]}发", "镇", f"中共{county}县委员会")


def fig(rng: random.Random) -> dict:
    return {"n": rng.randint(3, 96), "m": rng.randint(2, 40), "p": rng.randint(120, 2400),
            "q": rng.randint(400, 9800), "money": f"{rng.randint(3, 480)}.{rng.randint(0, 9)}",
            "pct": rng.randint(52, 99), "month": rng.randint(1, 12), "day": rng.randint(1, 28),
            "village": rng.choice(VILLAGES), "village2": rng.choice(VILLAGES),
            "name": person(rng), "office": rng.choice(OFFICES), "work": rng.choice(WORKS),
            "phone": f"0{rng.randint(710, 799)}-{rng.randint(2000000, 8999999)}"}


BODY = (
    "为切实做好{topic}工作，根据上级有关文件精神，结合我{unit}实际，现将有关事项{verb}如下。",
    "一、提高思想认识。各村（居）委会要把{topic}工作摆上重要议事日程，主要负责人要亲自抓，"
    "分管负责人要具体抓，确保各项任务落到实处。",
    "二、明确工作任务。{year}年全{unit}计划完成{topic}任务{n}项，涉及{village}村、{village2}村"
    "等{m}个行政村，共{p}户{q}人。",
    "三、落实工作责任。{office}负责统筹协调，联系人：{name}，联系电话：{phone}。",
    "四、加强督查考核。{unit}纪委将于{month}月{day}日前对各村工作开展情况进行督查，"
    "对工作不力的单位予以通报批评。",
    "截至{year}年{month}月{day}日，全{unit}已投入资金{money}万元，完成{work}{n}处，"
    "占年度任务的{pct}%。",
    "{village}村党支部书记{name}同志带领村干部逐户走访，共排查隐患{n}处，已整改{m}处。",
    "请各单位于{month}月{day}日前将工作情况报送{office}，逾期不报的将予以通报。",
    "今年以来，我{unit}坚持问题导向，共召开专题会议{m}次，培训基层干部{p}人次，"
    "群众满意度明显提高。",
)
CLOSING = {"通知": "特此通知。", "报告": "特此报告。", "请示": "妥否，请批示。", "意见": "以上意见，请认真贯彻执行。"}


def compose(rng: random.Random, corpus_sentences: list[str] | None = None,
            paragraphs: int = 5) -> Document:
    """One 公文's words; the body from templates, or partly from corpus sentences if given."""
    org = organisation(rng)
    year = rng.randint(2005, 2024)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    topic = rng.choice(TOPICS)
    kind = rng.choice(("通知", "通知", "报告", "请示", "意见"))
    title = {"通知": f"关于做好{year}年度{topic}工作的通知",
             "报告": f"关于{year}年{topic}工作情况的报告",
             "请示": f"关于{topic}经费补助有关事项的请示",
             "意见": f"关于进一步加强{topic}工作的意见"}[kind]
    to = f"{org.superior}：" if kind in ("报告", "请示") else "各村（居）委会，各有关单位："
    verb = "通知" if kind == "通知" else "报告" if kind == "报告" else "明确"
    chosen = [BODY[0]] + rng.sample(BODY[1:], paragraphs - 1)
    body = [t.format(topic=topic, unit=org.unit, verb=verb, year=year, **fig(rng)) for t in chosen]
    if corpus_sentences:
        body[1:3] = rng.sample(corpus_sentences, 2)
    body.append(CLOSING[kind])
    joint = ()
    if org.name.endswith("人民政府") and rng.random() < 0.25:
        joint = (org.name.replace("人民政府", "") + rng.choice(("财政所", "农业服务中心")),)
    number = f"{org.code}〔{year}〕{rng.randint(1, 150)}号"
    return Document(org, joint, number, title, to, tuple(body), date)


@lru_cache(maxsize=2)
def corpus_sentences(limit: int = 400) -> tuple[str, ...]:
    """Sentences of the corpus's text records (UTF-8 or GB18030), each 14–60 characters of
    mostly Chinese text, in a fixed order."""
    out: list[str] = []
    for path in sorted(CORPUS.rglob("*.txt")):
        if path.name.endswith(".gt.txt"):
            continue
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        for sentence in re.findall(r"[^。！？\n]{14,60}[。！？]", text):
            sentence = sentence.strip()
            if len(re.findall(r"[\u4e00-\u9fff]", sentence)) >= 0.8 * len(sentence):
                out.append(sentence)
    return tuple(out[:limit])


def table_rows(rng: random.Random, kind: str) -> tuple[str, list[list[str]]]:
    """(title, rows with the header row first) of a 登记表 or 统计表."""
    town, year = rng.choice(TOWNS), rng.randint(2008, 2024)
    if kind == "register":
        title = f"{town}镇{year}年度高龄津贴发放登记表"
        rows = [["序号", "姓名", "性别", "年龄", "村别", "金额（元）"]]
        for i in range(rng.randint(6, 9)):
            rows.append([str(i + 1), person(rng), rng.choice("男女"), str(rng.randint(80, 99)),
                         rng.choice(VILLAGES) + "村", str(rng.choice((600, 1200, 1800, 3600)))])
        return title, rows
    title = f"{town}镇{year}年农作物播种面积统计表"
    rows = [["村别", "水稻（亩）", "玉米（亩）", "油菜（亩）", "合计"]]
    for village in rng.sample(VILLAGES, rng.randint(5, 8)):
        a, b, c = rng.randint(80, 2400), rng.randint(30, 900), rng.randint(20, 700)
        rows.append([village + "村", str(a), str(b), str(c), str(a + b + c)])
    return title, rows


def crop_line(rng: random.Random) -> str:
    """A line or a few words as cut from a page: a 文号, an office, a name and phone, …"""
    org = organisation(rng)
    year = rng.randint(2005, 2024)
    return rng.choice((
        f"{org.code}〔{year}〕{rng.randint(1, 99)}号",
        f"{org.name}办公室",
        f"联系人：{person(rng)}  电话：0{rng.randint(710, 799)}-{rng.randint(2000000, 8999999)}",
        f"{rng.choice(VILLAGES)}村{rng.choice(TOPICS)}工作台账",
        f"{rng.choice(TOWNS)}镇档案室",
        f"关于{rng.choice(TOPICS)}工作的通知",
    ))
