"""A 测评轮次's results from an Excel file into the ledger: every row checked against the edition
and the unit list, every problem reported at once, and only a clean file written, in one
transaction (a new round, or — asked for — the results of a round of the same name replaced)."""

from __future__ import annotations

from core import audit, framework, settings
from core.errors import AppError
from core.scoring.reports import round_summary
from core.scoring.results import LineMatcher, insert_lines, prepare_line
from core.scoring.rounds import clean_name, clean_round, create_round, find_round, get_round, update_round

# The two forms a results file comes in (see core/xlsx/scoring_io.py).
FORM_PER_STANDARD = "a"
FORM_PER_SITE = "b"
_NUMBER_COLUMNS = ("满分", "得分", "失分")


def check_results(db, path, edition_id: int | None, progress=None, cancel=None, add_types: bool = False):
    """Read and check the whole file: (lines ready to store, problems, form, warnings, 点位类型 not in
    the list). Writes nothing. An unknown 点位类型 is one problem naming its rows, unless add_types."""
    from core.xlsx import scoring_io  # openpyxl loads when a file is read, not at start
    from core.xlsx.reader import Problem

    found = scoring_io.read_results(path, progress, cancel)
    matcher = LineMatcher(db, edition_id)
    lines, problems = [], list(found.problems)
    type_rows: dict[str, list[int]] = {}
    for data in found.rows:
        line, line_problems = prepare_line(matcher, data)
        for column, message in line_problems:
            if data["unreadable_number"] and column in _NUMBER_COLUMNS:
                continue  # the unreadable number is reported already
            problems.append(Problem(data["source_row"], found.label(column), message))
        if line["site_type"]:
            type_rows.setdefault(line["site_type"], []).append(data["source_row"])
        lines.append(line)
    unknown = settings.unknown_words(db, "site_type", type_rows)
    if not add_types:
        problems += [Problem(row, found.label("点位类型"), message) for _word, row, message in unknown]
    problems.sort(key=lambda p: p.row or 0)  # the cells' problems and the rows' in the file's order
    return lines, problems, found.form, found.warnings, [word for word, _row, _message in unknown]


def _described(db, round_id: int, summary: dict | None = None) -> dict:
    """A round as its audit rows record it: kind, date, edition and the totals of its results."""
    described = {k: v for k, v in get_round(db, round_id).items() if k in ("kind", "held_on", "edition_name")}
    summary = summary or round_summary(db, round_id)
    return {**described, **{k: summary[k] for k in ("lines", "full", "score", "loss")}}


def import_results(db, path, round_name: str, kind: str | None = None, held_on=None, edition_id: int | None = None,
                   replace: bool = False, progress=None, cancel=None, add_types: bool = False) -> dict:
    """Import a round's results. A round name already used is refused unless `replace`, which
    replaces that round's results (and its kind, date and edition) in one transaction. Without an
    edition, a replaced round keeps its own and a new one follows the current edition."""
    round_name = clean_name(round_name)
    existing = find_round(db, round_name) if round_name else None
    if existing and not replace:
        raise AppError(f"已有名为“{round_name}”的测评轮次。请换一个轮次名称，或选择替换该轮次的成绩"
                       "（命令行加 --replace）。")
    if edition_id is None:
        edition_id = (get_round(db, existing)["edition_id"] if existing else None) or framework.resolve_edition(db)
    cleaned = clean_round(db, round_name, kind, held_on, edition_id)  # bad options before the file
    lines, problems, form, warnings, new_types = check_results(db, path, edition_id, progress, cancel, add_types)
    if problems:
        message = f"成绩文件中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。"
        if new_types:
            raise settings.UnknownWords(message, "site_type", new_types, problems)
        raise AppError(message, problems=problems)
    with db.write():
        added_types = settings.add_vocab(db, "site_type", new_types)
        round_id = find_round(db, round_name)
        if round_id and not replace:
            raise AppError(f"已有名为“{round_name}”的测评轮次。")
        old = None
        if round_id:
            old = _described(db, round_id)  # logged, so what the replaced results were stays on record
            db.execute("DELETE FROM score_results WHERE round_id = :round", {"round": round_id})
            update_round(db, round_id, round_name, cleaned["kind"] if kind else old["kind"],
                         cleaned["held_on"] if held_on else old["held_on"], edition_id)
        else:
            round_id = create_round(db, round_name, cleaned["kind"], cleaned["held_on"] or None, edition_id)
        insert_lines(db, round_id, lines, progress, cancel)
        summary = round_summary(db, round_id)
        new = {"file": str(path), "form": form, **_described(db, round_id, summary)}
        replaced = old["lines"] if old else 0
        if old is None:
            audit.log(db, "导入测评成绩", "score_rounds", round_id, None, new, f"{round_name}：{len(lines)} 条")
        else:
            audit.log(db, "替换测评成绩", "score_rounds", round_id, old, new,
                      f"{round_name}：{replaced} 条替换为 {len(lines)} 条")
    return {"round_id": round_id, "lines": len(lines), "replaced": replaced, "form": form, "warnings": warnings,
            "added_types": added_types, **{
        k: summary[k] for k in ("full", "score", "loss", "rate", "loss_lines")}}
