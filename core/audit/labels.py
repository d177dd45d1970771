"""The 操作日志's 范围: a table of the ledger as users name its area."""

from __future__ import annotations

# A table not listed shows under its own name.
AREAS = {"units": "责任单位", "unit_groups": "单位分组", "editions": "测评体系版本", "framework_nodes": "测评体系",
         "assignments": "责任分工", "settings": "设置", "vocab": "词表", "attachments": "附件",
         "score_rounds": "测评轮次", "score_results": "测评成绩", "sites": "点位", "workday_overrides": "节假日安排",
         "workday_years": "节假日安排", "notices": "督办通知单", "findings": "督查问题", "letter_templates": "责任书模板",
         "letter_status": "责任书签订", "materials": "档案材料", "backup": "数据安全",
         "bulletin_numbers": "通报文号"}


def area_name(table: str) -> str:
    return AREAS.get(table, table)
