"""The 查阅登记 as people read it: Chinese action names and details in words instead of the
stored JSON, for the register page, its CSV and `dangan audit --csv`."""
from __future__ import annotations

import json

ACTION_LABELS = {"search": "检索", "suggest": "输入提示", "record": "查看记录", "page": "查看原件图像",
                 "download": "下载原件", "similar": "相关记录", "export": "导出检索结果",
                 "hits": "查看命中位置", "export-index": "导出整个索引",
                 "login": "登录", "login-failed": "登录失败",
                 "login-refused": "登录被拒（失败过多）", "logout": "退出", "admin": "账号管理",
                 "correct": "校对记录", "correct-revert": "撤销校对"}
OPS = {"add": "添加用户", "clearance": "改密级", "role": "改角色", "disable": "停用",
       "enable": "启用", "password": "设新密码", "token-create": "创建令牌",
       "token-revoke": "吊销令牌"}
FILTER_LABELS = {"category": "门类", "kind": "文种", "year": "年度", "org": "责任者",
                 "retention": "保管期限", "security": "密级", "type": "文件类型", "fonds": "全宗号"}


SHOWN_CHARS = 60  # of a corrected value or page text shown in the register (the CSV too)


def _short(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def describe(detail: str) -> str:
    """The stored detail (JSON) in words, e.g. "结果 3 条；筛选 门类=文书；第 2 页"."""
    if not detail:
        return ""
    try:
        d = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(d, dict):
        return detail
    parts = []
    if "op" in d:
        parts.append(OPS.get(d["op"], str(d["op"])) + (f" {d['name']}" if d.get("name") else ""))
    for key, say in (("role", "角色 {}"), ("level", "密级 {}"), ("value", "改为 {}"),
                     ("days", "有效 {} 天"), ("expires", "有效期至 {}"),
                     ("total", "结果 {} 条"), ("format", "格式 {}"), ("page", "第 {} 页"),
                     ("width", "宽 {} 像素"), ("date_from", "日期从 {}"), ("date_to", "日期到 {}"),
                     ("token", "令牌 {}"), ("reason", "原因：{}"), ("purpose", "用途：{}"),
                     ("field", "字段 {}"), ("old", "原为“{}”"), ("new", "改为“{}”"),
                     ("note", "说明：{}"), ("override", "{}"), ("records", "记录 {} 条"),
                     ("index", "索引名 {}"), ("folder", "写到 {}")):
        if key in d and d[key] not in ("", None):
            parts.append(say.format(_short(d[key]) if key in ("old", "new") else d[key]))
    for name, values in (d.get("filters") or {}).items():
        parts.append(f"{FILTER_LABELS.get(name, name)}={'、'.join(map(str, values))}")
    if d.get("bulk"):
        parts.append("打包下载")
    known = {"op", "name", "role", "level", "value", "days", "expires", "total", "format", "page",
             "width", "date_from", "date_to", "token", "reason", "purpose", "filters", "bulk",
             "field", "old", "new", "note", "override", "records", "index", "folder"}
    parts += [f"{k}={v}" for k, v in sorted(d.items()) if k not in known]
    return "；".join(parts)
