"""Chinese names and addresses for the PII detector, by rule.

Presidio has no Chinese NER and no Chinese model is available offline, so these are
rules with the precision of their context: a name is a common surname and one or two
given characters after "我叫", "姓名", "联系人"... or before "先生", "女士"...; an
address is a run of place parts ending in 省/市/区/县/路/街/号... that holds a road or a
house number. docs/privacy.md measures what they catch and miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The most frequent surnames (together over 85% of the population) and the compound ones.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|长孙|夏侯|公孙|端木|司徒|宇文"
# Characters that end a name: function words, verbs and particles that follow one.
_STOP = (
    "的了是在我你您他她它们想要请问能可和与及就也都还吗呢吧啊呀说给把被让从到对向为这那有没不已经会"
)
_GIVEN = rf"(?:(?![{_STOP}])[\u4e00-\u9fff])"
_SURNAME = rf"(?:{_COMPOUND}|[{_SURNAMES}])"
_BEFORE_NAME = (
    r"(?:我叫|我的名字是|名字是|名字叫|我姓名是|姓名|联系人|收款人|收件人|户名|持卡人|开户人|申请人|本人)"
    r"\s*[:是为]?\s*"
)
_NAME_AFTER_CONTEXT = re.compile(rf"{_BEFORE_NAME}(?P<v>{_SURNAME}{_GIVEN}{{1,2}})")
# "我是王伟" only when the name ends the clause: "我是新用户" is no name.
_NAME_I_AM = re.compile(rf"我是(?P<v>{_SURNAME}{_GIVEN}{{1,2}})(?=[\s,.!?;:，。！？；：、]|$)")
_NAME_TITLED = re.compile(
    rf"(?P<v>{_SURNAME}{_GIVEN}{{0,2}}?)(?=先生|女士|小姐|太太|老师|经理|阿姨|师傅)"
)

# Place names hold characters that end a personal name ("成都", "呼和浩特"): a shorter list.
_PLACE_STOP = "的了是在我你您他她它们想要请问吗呢吧啊呀说给把被让从到对向为这那有没不址住寄送往去来"
_PLACE = rf"(?:(?![{_PLACE_STOP}])[\u4e00-\u9fff])"
_ADMIN = "省|自治区|市|区|县|镇|乡|村"
_STREET = "路|街|大道|巷|胡同|小区|花园|公寓|大厦|广场|新村"
_NUMBER = r"\d+(?:-\d+)?(?:号楼|号院|号|弄|栋|幢|单元|室|层|楼|座)"
_ADDRESS = re.compile(
    rf"(?:{_PLACE}{{1,8}}?(?:{_ADMIN}))*"
    rf"(?:{_PLACE}{{1,10}}?(?:{_STREET}))+"
    rf"(?:\s*{_NUMBER})*"
)
_HAS_NUMBER = re.compile(_NUMBER)
_HAS_ADMIN = re.compile(rf"(?:{_ADMIN})")


def names(text: str) -> Iterator[tuple[int, int]]:
    """Chinese personal names introduced as names or followed by a form of address."""
    for pattern in (_NAME_AFTER_CONTEXT, _NAME_I_AM, _NAME_TITLED):
        for m in pattern.finditer(text):
            start, end = m.span("v")
            if pattern is _NAME_TITLED and start > 0 and text[start - 1] in "各诸众":
                continue  # "各位先生": every gentleman, not a name
            yield start, end


def addresses(text: str) -> Iterator[tuple[int, int]]:
    """Chinese street addresses: a road or housing estate with a number or a town before it."""
    for m in _ADDRESS.finditer(text):
        value = m.group()
        if _HAS_NUMBER.search(value) or _HAS_ADMIN.search(value[:-1]):
            yield m.span()


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character (the recognisers here need one)."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)
