"""The letter template: its parts, written with placeholders {名称} from a closed set. A literal
brace is written twice ({{ or }}); a template naming anything else is refused with the unknown
names listed, so a letter never goes out with a placeholder left in it."""

from __future__ import annotations

import json
import re

from core import audit, clock
from core.errors import AppError
from core.resources import resource_path
from core.text import join_brackets

# The closed set of placeholders, with what each stands for (shown in the template editor).
PLACEHOLDERS = {
    "单位名称": "乙方单位全称",
    "单位简称": "乙方单位简称（无简称时为全称）",
    "主要负责人": "乙方主要负责人",
    "分管领导": "乙方分管领导",
    "年度": "责任书年度，如 2026",
    "任务数": "乙方承担的测评标准总数",
    "牵头任务数": "乙方牵头的测评标准数",
    "配合任务数": "乙方配合的测评标准数",
    "分值合计": "乙方承担标准的分值合计",
    "甲方名称": "发文机关（设置中的“发文机关”）",
    "办公室名称": "设置中的“办公室名称”",
    "版本名称": "测评体系版本名称，如 2026年度",
    "测评体系": "测评体系名称，如 全国文明城市测评体系（2021年版）",
}

# Template fields, in the order they appear in a letter, with their labels.
TEMPLATE_FIELDS = {
    "title": "标题",
    "body": "正文（任务表之前）",
    "terms": "工作要求与考核奖惩（任务表之后）",
    "copies": "份数与生效",
    "party_a": "甲方署名",
    "party_b": "乙方署名",
}
TEMPLATE_NAME = "default"

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def default_template() -> dict:
    return json.loads(resource_path("templates", "letter_template.json").read_text(encoding="utf-8"))


def get_template(db) -> dict:
    stored = db.value("SELECT content FROM letter_templates WHERE name = :name", {"name": TEMPLATE_NAME})
    template = default_template()
    if stored:
        template.update(json.loads(stored))
    return {key: template.get(key, "") for key in TEMPLATE_FIELDS}


def placeholders_in(text: str) -> tuple[list[str], list[str]]:
    """(placeholder names used, unknown names or stray braces) in one template text."""
    used, bad = [], []
    for m in _TOKEN.finditer(text or ""):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            bad.append(f"单独的“{token}”")
            continue
        name = m.group(1).strip()
        (used if name in PLACEHOLDERS else bad).append(name if name in PLACEHOLDERS else f"{{{m.group(1)}}}")
    return used, bad


def validate_template(template: dict) -> dict:
    """The template with every field present; AppError naming every unknown placeholder."""
    unknown_fields = set(template) - set(TEMPLATE_FIELDS)
    if unknown_fields:
        raise AppError(f"责任书模板中有未知的栏目：{'、'.join(sorted(unknown_fields))}。")
    clean = {key: str(template.get(key) or "").strip() for key in TEMPLATE_FIELDS}
    if not clean["title"]:
        raise AppError("责任书模板的标题不能为空。")
    problems = []
    for key, label in TEMPLATE_FIELDS.items():
        _, bad = placeholders_in(clean[key])
        if bad:
            problems.append(f"{label}：{'、'.join(dict.fromkeys(bad))}")
    if problems:
        raise AppError("责任书模板中有无法识别的占位符：" + "；".join(problems) + "。"
                       f"可用的占位符：{'、'.join('{' + n + '}' for n in PLACEHOLDERS)}；"
                       "如需写花括号本身，请写成 {{ 或 }}。")
    return clean


def save_template(db, template: dict) -> None:
    clean = validate_template(template)
    with db.write():
        before = get_template(db)
        if before == clean:
            return
        db.upsert("letter_templates", {"name": TEMPLATE_NAME, "content": json.dumps(clean, ensure_ascii=False),
                                       "updated_at": clock.stamp()}, key=["name"])
        changed = [k for k in clean if clean[k] != before.get(k)]
        audit.log(db, "修改责任书模板", "letter_templates", TEMPLATE_NAME,
                  {k: before.get(k) for k in changed}, {k: clean[k] for k in changed},
                  "、".join(TEMPLATE_FIELDS[k] for k in changed))


def reset_template(db) -> None:
    save_template(db, default_template())


def fill(text: str, values: dict[str, str]) -> str:
    """The text with every placeholder replaced (the template was validated when saved)."""
    def replace(m):
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = (m.group(1) or "").strip()
        if name not in PLACEHOLDERS:
            raise AppError(f"责任书模板中有无法识别的占位符：{token}。请在“编辑模板”中修改。")
        return values[name]
    return join_brackets(_TOKEN.sub(replace, text or ""))
