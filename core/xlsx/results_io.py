"""A 测评轮次's results from Excel, in either of the two forms offices receive.

(a) per standard:  标准编号 (required), 满分, 得分, 失分, 失分原因 — the office's own 自查 sheet.
(b) per 点位, as third-party reports deliver them: 测评项目 (and 子项 or 标准编号 when present), 点位,
    点位类型, 属地 (街道), 满分|应得分, 得分|实得分, 失分|扣分, 责任单位 (one or several), 问题描述.
A file with a 点位 column is form (b). Accepted column names (any order, header found by name):
  标准编号|指标编号|编号            测评项目|项目|一级指标|测评项目名称
  子项|测评子项|测评内容|测评指标|二级指标     点位|点位名称|测评点位|实地点位
  点位类型|点位类别|点位分类        属地|属地街道|所属街道|街道|属地（街道）|所在街道
  满分|应得分|分值|标准分|满分值     得分|实得分|实际得分
  失分|扣分|扣分值|失分值           责任单位|责任部门|整改责任单位|责任主体
  失分原因|问题描述|扣分原因|存在问题|问题
Any two of 满分/得分/失分 give the third (a standard's 分值 stands for a missing 满分); rows of
负面清单 standards record deductions with 满分 0. Every problem is reported at once; only a clean
file is written, in one transaction.
"""

from __future__ import annotations

from core import audit, framework, scoring
from core.db import write
from core.errors import AppError, Cancelled
from core.xlsx.reader import Column, Problem, read_table
from core.text import clean_text, parse_number, split_multi

COLUMNS = [
    Column("code", ("标准编号", "指标编号", "编号")),
    Column("category", ("测评项目", "项目", "一级指标", "测评项目名称")),
    Column("item", ("子项", "测评子项", "测评内容", "测评指标", "二级指标")),
    Column("site", ("点位", "点位名称", "测评点位", "实地点位")),
    Column("site_type", ("点位类型", "点位类别", "点位分类")),
    Column("locality", ("属地", "属地街道", "所属街道", "街道", "属地（街道）", "所在街道")),
    Column("full_points", ("满分", "应得分", "分值", "标准分", "满分值")),
    Column("score", ("得分", "实得分", "实际得分")),
    Column("loss", ("失分", "扣分", "扣分值", "失分值")),
    Column("units", ("责任单位", "责任部门", "整改责任单位", "责任主体")),
    Column("reason", ("失分原因", "问题描述", "扣分原因", "存在问题", "问题"), free_text=True),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
NUMBER_KEYS = ("full_points", "score", "loss")


def parse_results(db, path, edition_id: int | None, progress=None, cancel=None) -> tuple[list[dict], list[Problem], str]:
    """Read and check the whole file: (lines ready to store, problems, form 'a' or 'b'). Writes nothing."""
    table = read_table(path, COLUMNS, progress=progress, cancel=cancel)
    found = set(table.columns_found)
    form = "b" if "site" in found else "a"
    if form == "a" and "code" not in found:
        raise AppError("文件中没有“标准编号”列（按标准导入），也没有“点位”列（按点位导入）。"
                       "请检查表头，列名写法见帮助。")
    if sum(k in found for k in NUMBER_KEYS) < 2 and not (form == "a" and {"score", "loss"} & found):
        raise AppError("文件中至少要有满分、得分、失分中的两列（按标准导入时可只有得分或失分，满分取标准分值）。")
    matcher = scoring.LineMatcher(db, edition_id)
    lines, problems = [], []
    seen_codes: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        if cancel and i % 1000 == 0 and cancel():
            raise Cancelled()
        v = row.values
        if not any(clean_text(v.get(k)) for k in ("code", "category", "item", "site", *NUMBER_KEYS)):
            continue  # a row holding only a unit or a remark
        data = {k: clean_text(v.get(k)) for k in ("code", "category", "item", "site", "site_type", "locality", "reason")}
        data["units"] = split_multi(v.get("units"))
        data["source_row"] = row.number
        for key in NUMBER_KEYS:
            try:
                data[key] = parse_number(v.get(key))
            except ValueError as exc:
                problems.append(Problem(row.number, table.columns_found.get(key, LABELS[key]), str(exc)))
                data[key] = _SKIP
        if form == "a":
            code = "".join(data["code"].split())
            if not code:
                problems.append(Problem(row.number, LABELS["code"], "缺少标准编号"))
                continue
            if code in seen_codes:
                problems.append(Problem(row.number, LABELS["code"], f"标准编号“{code}”与第 {seen_codes[code]} 行重复"))
            seen_codes.setdefault(code, row.number)
        bad_number = any(data[k] is _SKIP for k in NUMBER_KEYS)
        if bad_number:
            for key in NUMBER_KEYS:
                if data[key] is _SKIP:
                    data[key] = None
        line, found_problems = scoring.prepare_line(matcher, data)
        for column, message in found_problems:
            if bad_number and column in ("满分", "得分", "失分"):
                continue  # the unreadable number is reported already
            problems.append(Problem(row.number, _column_label(table, column), message))
        lines.append(line)
    if not lines and not problems:
        raise AppError("文件中没有找到任何成绩数据。请检查表头下方是否有数据行。")
    return lines, problems, form


def _described(db, round_id: int, summary: dict | None = None) -> dict:
    """A round as its audit rows record it: kind, date, edition and the totals of its results."""
    described = {k: v for k, v in scoring.get_round(db, round_id).items() if k in ("kind", "held_on", "edition_name")}
    summary = summary or scoring.round_summary(db, round_id)
    return {**described, **{k: summary[k] for k in ("lines", "full", "score", "loss")}}


_SKIP = object()  # a number cell that could not be read (already reported)
_COLUMN_KEYS = {"满分": "full_points", "得分": "score", "失分": "loss", "标准编号": "code", "测评项目": "category",
                "责任单位": "units"}


def _column_label(table, column: str) -> str:
    """The column as the file names it (应得分 rather than 满分), so the user finds it."""
    key = _COLUMN_KEYS.get(column)
    return table.columns_found.get(key, column) if key else column


def import_results(db, path, round_name: str, kind: str | None = None, held_on=None, edition: str | None = None,
                   replace: bool = False, progress=None, cancel=None) -> dict:
    """Import a round's results. A round name already used is refused unless `replace`, which
    replaces that round's results (and its kind, date and edition) in one transaction."""
    round_name = " ".join(str(round_name or "").split())
    existing = scoring.find_round(db, round_name) if round_name else None
    if existing and not replace:
        raise AppError(f"已有名为“{round_name}”的测评轮次。请换一个轮次名称，或选择替换该轮次的成绩"
                       "（命令行加 --replace）。")
    if existing and edition is None:
        edition_id = scoring.get_round(db, existing)["edition_id"] or framework.resolve_edition(db, None)
    else:
        edition_id = framework.resolve_edition(db, edition)
    cleaned = scoring.clean_round(db, round_name, kind, held_on, edition_id)  # bad options before the file
    lines, problems, form = parse_results(db, path, edition_id, progress, cancel)
    if problems:
        raise AppError(f"成绩文件中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。",
                       problems=problems)
    with write(db):
        round_id = scoring.find_round(db, round_name)
        if round_id and not replace:
            raise AppError(f"已有名为“{round_name}”的测评轮次。")
        old = None
        if round_id:
            old = _described(db, round_id)  # logged, so what the replaced results were stays on record
            db.execute("DELETE FROM score_results WHERE round_id = ?", (round_id,))
            scoring.update_round(db, round_id, round_name, cleaned["kind"] if kind else old["kind"],
                                 cleaned["held_on"] if held_on else old["held_on"], edition_id)
        else:
            round_id = scoring.create_round(db, round_name, cleaned["kind"], cleaned["held_on"] or None, edition_id)
        scoring.insert_lines(db, round_id, lines, progress, cancel)
        summary = scoring.round_summary(db, round_id)
        new = {"file": str(path), "form": form, **_described(db, round_id, summary)}
        replaced = old["lines"] if old else 0
        if old is None:
            audit.log(db, "导入测评成绩", "score_rounds", round_id, None, new, f"{round_name}：{len(lines)} 条")
        else:
            audit.log(db, "替换测评成绩", "score_rounds", round_id, old, new,
                      f"{round_name}：{replaced} 条替换为 {len(lines)} 条")
    return {"round_id": round_id, "lines": len(lines), "replaced": replaced, "form": form, **{
        k: summary[k] for k in ("full", "score", "loss", "rate", "loss_lines")}}
