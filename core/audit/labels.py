"""Tables as users name them: the 操作日志's 范围 (a table's area), and the one Chinese name of
every table's records, used wherever records are counted for a user (what refers to a record that
cannot be deleted, what a backup holds)."""

from __future__ import annotations

# A table not listed shows under its own name.
AREAS = {"units": "责任单位", "unit_groups": "单位分组", "editions": "测评体系版本", "framework_nodes": "测评体系",
         "assignments": "责任分工", "settings": "设置", "vocab": "词表", "attachments": "附件",
         "score_rounds": "测评轮次", "score_results": "测评成绩", "sites": "点位", "workday_overrides": "节假日安排",
         "workday_years": "节假日安排", "notices": "督办通知单", "findings": "督查问题", "letter_templates": "责任书模板",
         "letter_status": "责任书签订", "materials": "档案材料", "backup": "数据安全",
         "bulletin_numbers": "通报文号", "reminders": "催办", "unit_packages": "工作包",
         "working_groups": "专项推进组", "working_group_units": "专项推进组",
         "survey_targets": "问卷调查", "survey_results": "问卷调查"}

# What one row of each table is, in the users' words. The search index (fts_*) and the migrations'
# own table are the program's machinery and are never counted for a user.
RECORD_NAMES = {
    "units": "责任单位", "unit_aliases": "单位曾用名", "unit_groups": "单位分组", "unit_group_members": "单位分组成员",
    "editions": "测评体系版本", "framework_nodes": "测评体系条目", "assignments": "责任分工",
    "score_rounds": "测评轮次", "score_results": "测评成绩", "score_result_units": "测评成绩的责任单位",
    "sites": "点位", "site_units": "点位的责任单位", "notices": "督办通知单", "notice_findings": "督办通知单所列问题",
    "findings": "督查问题", "finding_units": "督查问题的配合单位", "finding_events": "督查问题办理记录",
    "letter_status": "责任书", "letter_templates": "责任书模板", "materials": "档案材料",
    "material_review_progress": "档案审查进度", "attachments": "附件", "settings": "设置项", "vocab": "词表条目",
    "workday_overrides": "节假日安排", "workday_years": "节假日安排年份", "counters": "文号计数",
    "loss_findings": "失分转督查记录", "reminders": "催办记录", "unit_packages": "工作包",
    "working_groups": "专项推进组", "working_group_units": "专项推进组成员单位",
    "survey_targets": "问卷调查目标值", "survey_results": "问卷调查结果",
    "audit_log": "操作日志"}
OTHER_RECORDS = "其他记录"


def area_name(table: str) -> str:
    return AREAS.get(table, table)


def is_internal(table: str) -> bool:
    return table.startswith(("fts_", "_"))


def record_name(table: str) -> str:
    return RECORD_NAMES.get(table, OTHER_RECORDS)


def record_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """{table: rows} as (Chinese name, rows) in the order given, the program's own tables left out
    and tables of the same name added together."""
    named: dict[str, int] = {}
    for table, n in counts.items():
        if not is_internal(table):
            named[record_name(table)] = named.get(record_name(table), 0) + n
    return list(named.items())


def references_text(counts: dict[str, int]) -> str:
    """What refers to a record, as a user reads it: 责任分工 2 条、责任书 1 条、档案材料 4 条."""
    return "、".join(f"{name} {n} 条" for name, n in record_counts(counts))
