"""Office settings and the editable word lists (vocabularies)."""

from __future__ import annotations

import json
import re

from core import audit, clock, dates
from core.errors import AppError

UNIT_KINDS = ["党委部门", "政府部门", "人大政协", "群团组织", "街道", "乡镇", "事业单位",
              "垂管单位", "国有企业", "其他"]
METHODS = ["材料审核", "实地考察", "问卷调查", "网上申报"]
# One list for 督查 findings and 测评 results alike: the 实地考察 点位 of the 测评体系 (农贸市场, 学校 …).
SITE_TYPES = ["主干道", "次干道", "商业大街", "背街小巷", "公共广场", "公园景区", "公交站台",
              "长途汽车站", "主要交通路口", "政务大厅", "社区", "医院", "室外公共厕所", "学校", "中学",
              "小学", "农贸市场", "集贸市场", "药店", "建成区河道", "宾馆饭店", "超市", "文化娱乐场所",
              "街道综合文化站", "村"]
# 专项推进组 an office usually has: offered when a standard is given its group (the groups
# themselves are records, core.framework.groups).
WORKING_GROUPS = ["综合协调组", "宣传氛围组", "市容环境组", "文明交通组", "窗口服务组",
                  "平安建设组", "诚信建设组", "志愿服务组", "未成年人组", "社会事业组", "生态环境组"]

# kind → (label shown to the user, default values)
VOCABULARIES = {
    "unit_kind": ("单位类别", UNIT_KINDS),
    "method": ("测评方法", METHODS),
    "site_type": ("点位类型", SITE_TYPES),
}

# 保管期限 and its code in the 档号 (DA/T 22-2015).
RETENTION_CODES = {"永久": "Y", "定期30年": "D30", "定期10年": "D10"}

FONT_ROLES = {"fangsong": "正文（仿宋）", "heiti": "一级标题（黑体）", "kaiti": "二级标题（楷体）",
              "songti": "宋体", "xiaobiaosong": "文件标题（小标宋）"}

# key → (label, default; a function gives a default that depends on the day). Values are stored as JSON.
SETTINGS = {
    "district_name": ("区名称", "XX区"),
    "office_name": ("办公室名称", "XX区创建全国文明城市工作指挥部办公室"),
    "issuing_body": ("发文机关", "XX区创建全国文明城市工作指挥部"),
    "doc_code": ("机关代字", "X创城督"),
    "bulletin_code": ("通报机关代字", "X创城通"),
    # 归档 (DA/T 22-2015): the 档号 is 全宗号-WS·年度-保管期限代码-机构代码-件号.
    "fonds_code": ("全宗号", "Z001"),
    "retention": ("保管期限", "永久"),
    "org_code": ("机构代码", "CCB"),
    "current_year": ("当前年度", lambda: clock.today().year),
    "current_edition_id": ("当前版本", None),
    "next_assessment_date": ("下次测评日期", ""),
    # 丢分分析: a line naming several units counts in full for each (as published reports do)
    # unless split equally; the line's 属地 may be held accountable too (属地管理).
    "loss_split_equally": ("多个责任单位平分失分", False),
    "loss_locality_accountable": ("属地单位同时承担失分", False),
    "attachment_max_mb": ("附件大小上限（MB）", 500),
    "pdf_fonts": ("公文字体（按用途选择字体文件）", {}),
    "backup_second_folder": ("第二备份位置（如 U 盘）", ""),
    "backup_keep_daily": ("保留每日快照份数", 7),
    "backup_keep_monthly": ("保留每月快照份数", 12),
    "backup_warn_days": ("超过几天未备份时提醒", 3),
    # 督查督办: default 整改时限 in working days by 严重程度, and the 挂牌督办 thresholds.
    "deadline_days": ("默认整改时限（工作日）", {"一般": 5, "较重": 3, "严重": 1}),
    "flag_supervision_count": ("督办次数达到此数即挂牌", 2),
    "flag_overdue_workdays": ("逾期超过此工作日数即挂牌", 5),
    "flag_repeat_days": ("同一点位此天数内重复出现即挂牌", 30),
    "notice_contact": ("督办通知单联系人及电话", ""),
    # 今日催办: what is chased before its date, and how long a unit may leave a step undone.
    "remind_lead_workdays": ("催办提前工作日", 3),
    "remind_unsigned_days": ("未签收天数", 2),
    "remind_package_days": ("工作包回收天数", 5),
}


# 今日催办's settings and the values they can take (0 催办提前工作日: only what is due today or overdue).
REMIND_RANGES = {"remind_lead_workdays": (0, 30), "remind_unsigned_days": (1, 60), "remind_package_days": (1, 90)}


# The office's own names: until the first-run step (or 设置) fills them, documents print the
# placeholders "XX区…" and "X创城督".
OFFICE_KEYS = ("district_name", "office_name", "issuing_body", "doc_code")
PLACEHOLDER_MARK = "XX"


def office_suggestions(district: str) -> dict:
    """What the office's names usually are, given the 区 (the user corrects what differs)."""
    district = district.strip()
    return {"office_name": f"{district}创建全国文明城市工作指挥部办公室",
            "issuing_body": f"{district}创建全国文明城市工作指挥部",
            "doc_code": f"{district[:1]}创城督"}


def office_placeholders(db) -> list[str]:
    """The labels of the office's names that still hold placeholder text."""
    return [SETTINGS[key][0] for key in OFFICE_KEYS
            if (value := get(db, key)) == SETTINGS[key][1] or PLACEHOLDER_MARK in value]


def placeholder_warning(db) -> str:
    """One line for stderr when a document would print the placeholders ('' when set up)."""
    missing = office_placeholders(db)
    if not missing:
        return ""
    return (f"提示：尚未填写{'、'.join(missing)}，文件中印的是占位文字（如“{get(db, 'office_name')}”"
            f"“{get(db, 'doc_code')}”）。请在图形界面的“设置”中填写本单位信息。")


def get(db, key: str):
    if key not in SETTINGS:
        raise KeyError(key)
    value = db.value("SELECT value FROM settings WHERE key = :key", {"key": key})
    if value is not None:
        return json.loads(value)
    default = SETTINGS[key][1]
    return default() if callable(default) else default


def get_all(db) -> dict:
    return {key: get(db, key) for key in SETTINGS}


def set_many(db, values: dict) -> None:
    """Change several settings in one transaction, validating first."""
    for key in values:
        if key not in SETTINGS:
            raise AppError(f"未知的设置项：{key}")
    values = {key: _checked(key, value) for key, value in values.items()}
    with db.write():
        for key, value in values.items():
            before = get(db, key)
            if before == value:
                continue
            db.upsert("settings", {"key": key, "value": json.dumps(value, ensure_ascii=False)}, key=["key"])
            audit.log(db, "修改设置", "settings", key, {key: before}, {key: value},
                      f"{SETTINGS[key][0]}：{before} → {value}")
    if values.keys() & {"pdf_fonts", "office_name"}:
        apply_document_settings(db)


def apply_document_settings(db) -> None:
    """Make the office's font choice and name the defaults for every PDF this process writes."""
    import core.pdf

    core.pdf.office_font_preferences = {k: v for k, v in get(db, "pdf_fonts").items() if v}
    core.pdf.office_author = get(db, "office_name")


# The face each role wants, as a user names it, and where a Linux PC gets one (packages the .deb
# depends on, where there is a free one).
FONT_KINDS = {"fangsong": ("仿宋", ""), "heiti": ("黑体", "fonts-wqy-zenhei"), "kaiti": ("楷体", "fonts-arphic-ukai"),
              "songti": ("宋体", "fonts-arphic-uming"), "xiaobiaosong": ("小标宋", "")}


def font_usage(db) -> dict[str, dict]:
    """For the settings page: the file each PDF font role uses now, and a warning when the role has
    no face of its kind (it borrows another role's, or falls back to the bundled sans)."""
    from core.pdf.fonts import role_fonts

    used = {}
    for role, font in role_fonts({k: v for k, v in get(db, "pdf_fonts").items() if v}).items():
        kind, package = FONT_KINDS[role]
        warning = ""
        if font.bundled:
            warning = (f"本机没有{kind}字体，暂用程序自带的文泉驿微米黑（无衬线黑体）代替，"
                       f"打印效果与公文要求不同。请安装{kind}字体" + (f"（Linux：{package}）" if package else "")
                       + "，或在上面选择一个字体文件。")
        elif not font.own:
            warning = f"本机没有{kind}字体，暂用同类的衬线字体代替；有{kind}字体文件时请在上面选择。"
        used[role] = {"path": font.path, "warning": warning}
    return used


def set(db, key: str, value) -> None:  # noqa: A001 - mirrors get()
    set_many(db, {key: value})


def _checked(key: str, value):
    """The value as it is kept (a date in the one form the ledger stores); AppError when it is not
    a value the setting can take."""
    if key in (*OFFICE_KEYS, "bulletin_code") and not str(value or "").strip():
        raise AppError(f"“{SETTINGS[key][0]}”不能为空。")
    if key == "current_year":
        if not isinstance(value, int) or not 2000 <= value <= 2100:
            raise AppError("当前年度应为 2000 到 2100 之间的四位年份，例如 2026。")
    if key in ("flag_supervision_count", "flag_overdue_workdays", "flag_repeat_days") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise AppError(f"“{SETTINGS[key][0]}”应为不小于 1 的整数。")
    if key in REMIND_RANGES and (not isinstance(value, int) or isinstance(value, bool)
                                 or not REMIND_RANGES[key][0] <= value <= REMIND_RANGES[key][1]):
        low, high = REMIND_RANGES[key]
        raise AppError(f"“{SETTINGS[key][0]}”应为 {low} 到 {high} 之间的整数。")
    if key == "deadline_days" and (not isinstance(value, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value.values())):
        raise AppError("默认整改时限应为每个严重程度对应一个不小于 1 的工作日数。")
    if key in ("backup_keep_daily", "backup_keep_monthly", "backup_warn_days") and (
            not isinstance(value, int) or not 1 <= value <= 365):
        raise AppError(f"“{SETTINGS[key][0]}”应为 1 到 365 之间的整数。")
    if key == "pdf_fonts" and (not isinstance(value, dict) or not value.keys() <= FONT_ROLES.keys()):
        raise AppError("公文字体设置无效，请在“设置”中重新选择。")
    if key == "retention" and value not in RETENTION_CODES:
        raise AppError("保管期限应为" + "、".join(RETENTION_CODES) + "之一。")
    if key in ("fonds_code", "org_code") and not re.fullmatch(r"[0-9A-Za-z]{0,12}", str(value or "").strip()):
        raise AppError(f"“{SETTINGS[key][0]}”应为字母和数字（不超过 12 位），例如 Z001、BGS。")
    if key == "fonds_code" and not str(value or "").strip():
        raise AppError("“全宗号”不能为空，请填写档案馆给本单位的全宗号，例如 Z001。")
    if key in ("fonds_code", "org_code"):
        return str(value).strip().upper()
    if key == "attachment_max_mb" and (not isinstance(value, int) or value < 1):
        raise AppError("附件大小上限应为不小于 1 的整数（单位 MB）。")
    if key == "next_assessment_date":
        return dates.iso(value, SETTINGS[key][0]) if value else ""
    return value


# --- vocabularies -------------------------------------------------------------------------------

def ensure_default_vocab(db) -> None:
    """Fill every empty word list with its defaults (first start); nothing is written when every
    list has words (a read-only login opens the shared ledger without writing)."""
    present = {*db.column("SELECT DISTINCT kind FROM vocab")}
    missing = [{"kind": kind, "value": v, "position": i}
               for kind, (_label, values) in VOCABULARIES.items() if kind not in present
               for i, v in enumerate(values)]
    if missing:
        with db.write():
            db.executemany("INSERT INTO vocab (kind, value, position) VALUES (:kind, :value, :position)", missing)


def vocab(db, kind: str) -> list[str]:
    values = db.column("SELECT value FROM vocab WHERE kind = :kind ORDER BY position, id", {"kind": kind})
    return values or list(VOCABULARIES[kind][1])


def add_vocab(db, kind: str, values) -> list[str]:
    """Add words to the end of a list (an import's new 点位类型); the words that were new."""
    present = vocab(db, kind)
    new = [v for v in dict.fromkeys(str(v).strip() for v in values) if v and v not in present]
    if new:
        set_vocab(db, kind, present + new)
    return new


class UnknownWords(AppError):
    """An import names words a list does not have (点位类型); each is reported once, and the user
    adds them (the window offers it, the command line with --add-types) or corrects the file."""

    def __init__(self, message_zh: str, kind: str, words: list[str], problems):
        super().__init__(message_zh, problems=problems)
        self.kind = kind
        self.words = words


def unknown_words(db, kind: str, rows_of: dict[str, list[int]]) -> list[tuple[str, int, str]]:
    """The words of a file not in the list, each once: (word, its first row, the message naming
    every row that uses it and how to add it)."""
    known = vocab(db, kind)
    name = VOCABULARIES[kind][0]
    found = []
    for word, rows in rows_of.items():
        if word not in known:
            more = f"（第 {'、'.join(map(str, rows[:8]))}{' 等' if len(rows) > 8 else ''} 行）"
            found.append((word, rows[0], f"未知的{name}“{word}”{more}，可选：{'、'.join(known)}；"
                                         f"也可把它加入{name}（命令行加 --add-types）"))
    return found


def set_vocab(db, kind: str, values: list[str]) -> None:
    if kind not in VOCABULARIES:
        raise AppError(f"未知的词表：{kind}")
    cleaned = []
    for v in values:
        v = str(v).strip()
        if v and v not in cleaned:
            cleaned.append(v)
    if not cleaned:
        raise AppError(f"“{VOCABULARIES[kind][0]}”至少要保留一项。")
    before = vocab(db, kind)
    if before == cleaned:
        return
    with db.write():
        db.execute("DELETE FROM vocab WHERE kind = :kind", {"kind": kind})
        db.executemany("INSERT INTO vocab (kind, value, position) VALUES (:kind, :value, :position)",
                       [{"kind": kind, "value": v, "position": i} for i, v in enumerate(cleaned)])
        audit.log(db, "修改词表", "vocab", kind, before, cleaned, VOCABULARIES[kind][0])
