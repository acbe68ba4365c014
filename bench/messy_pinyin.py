"""Pinyin of the characters the benchmark's person names are made of (its own table, so the
ground truth does not depend on the pinyin library the search side uses)."""
from __future__ import annotations

# syllable: characters read that way (as a name's given character, or as a surname)
_TABLE = """
wang:王汪 li:李丽黎莉立 zhang:张 liu:刘 chen:陈晨 yang:杨洋阳 huang:黄 zhao:赵 wu:吴武
zhou:周 xu:徐许 sun:孙 ma:马 zhu:朱诸 hu:胡 guo:郭国 he:何贺 gao:高 lin:林琳 luo:罗
zheng:郑 liang:梁亮 xie:谢 song:宋 tang:唐汤 han:韩 feng:冯峰凤 deng:邓 cao:曹 peng:彭鹏
zeng:曾 xiao:肖晓小 tian:田 dong:董东 yuan:袁 pan:潘 yu:于余玉宇 jiang:蒋姜江 cai:蔡
du:杜 ye:叶 cheng:程成 su:苏 wei:魏韦伟卫 lv:吕 ding:丁 ren:任 shen:沈 yao:姚 lu:卢陆
cui:崔 zhong:钟忠 tan:谭 fan:范 jin:金 shi:石史 liao:廖 jia:贾佳 xia:夏霞 fu:付 fang:方芳
bai:白 zou:邹 meng:孟 xiong:熊 qin:秦覃 qiu:邱秋 yin:尹 xue:薛雪 yan:闫严艳燕 duan:段
lei:雷磊 hou:侯 long:龙 tao:陶涛 gu:顾 mao:毛 hao:郝浩 gong:龚 shao:邵 wan:万 qian:钱
dai:戴 mo:莫 kong:孔 xiang:向 bu:卜 ou:欧 si:司 ge:葛 shang:上 guan:官 mu:慕 rong:容荣
na:娜 min:敏 jing:静 qiang:强 jun:军俊 yong:勇永 jie:杰 juan:娟 ming:明 chao:超 xiu:秀
ping:平萍 gang:刚 gui:桂 ying:英颖 hua:华 hong:红宏 ling:玲 lan:兰 hui:辉慧 jian:建剑
wen:文 bin:斌彬 kai:凯 ting:婷 zhi:志 hai:海 bo:波 fei:飞 xin:新鑫欣 chun:春 mei:梅
yun:云 dan:丹 de:德 shu:淑 rui:瑞 zhen:振 guang:光 ya:雅
"""
PINYIN = {ch: syllable for item in _TABLE.split() for syllable, chars in [item.split(":")]
          for ch in chars}


def syllables(name: str) -> list[str] | None:
    """The name's syllables, or None when a character is not in the table."""
    out = [PINYIN.get(ch) for ch in name]
    return None if None in out else out


def full(name: str) -> str:
    """wangjiancheng"""
    return "".join(syllables(name) or ())


def spaced(name: str) -> str:
    """wang jian cheng"""
    return " ".join(syllables(name) or ())


def initials(name: str) -> str:
    """wjc"""
    return "".join(s[0] for s in syllables(name) or ())
