"""问卷调查 measures: a standard measured by survey carries a target rate per indicator (知晓率,
满意率, 支持率; e.g. ≥ 85 %), and each 测评 round records the rate reached, from a file
(import_survey) or typed in (record_survey_result). A result is met when the rate reaches the
target it was held to; a standard's trend follows its results over the rounds, earlier years'
editions included (through the standard's origin)."""

from __future__ import annotations

import unicodedata

from core import audit, clock, framework
from core.errors import AppError
from core.scoring.rounds import create_round, find_round, get_round, infer_kind
from core.text import clean_text, parse_number

SURVEY_METHOD = "问卷调查"
INDICATORS = ("知晓率", "满意率", "支持率")
_EPS = 1e-9


def parse_rate(value) -> float | None:
    """A rate as offices write it: "85%", "0.85", "85" (or the numbers) all mean 85 %. None when
    blank; ValueError (Chinese) when it is not a rate between 0 and 100 %."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
        if text.endswith("%"):
            number = parse_number(text[:-1])
            if number is None:
                raise ValueError(f"不是有效的比率：{clean_text(value)}（写作 85%、0.85 或 85）")
            rate = number / 100
        else:
            rate = _fraction(parse_number(text))
    else:
        rate = _fraction(parse_number(value))
    if rate is not None and not 0 <= rate <= 1 + _EPS:
        raise ValueError(f"比率应在 0 到 100% 之间：{clean_text(value)}")
    return None if rate is None else round(rate, 6)


def _fraction(number: float | None) -> float | None:
    # 0.85 is a fraction as written; 85 a percentage without its sign.
    return None if number is None else (number if number <= 1 else number / 100)


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100, 2):g}%"


def is_met(actual: float, target: float) -> bool:
    return actual + _EPS >= target


def survey_standards(db, edition_id: int) -> dict[str, dict]:
    """标准编号 → the edition's standard measured by 问卷调查 (id, code, title)."""
    return {s["code"]: s for s in db.rows(
        "SELECT id, code, title, methods FROM framework_nodes WHERE edition_id = :edition AND level = 3"
        " AND retired = 0 ORDER BY position, id", {"edition": edition_id})
        if SURVEY_METHOD in s["methods"].split("、")}


def _targets(db, node_ids) -> dict[tuple[int, str], float]:
    return {(r["node_id"], r["indicator"]): r["target"]
            for r in db.rows("SELECT node_id, indicator, target FROM survey_targets")
            if r["node_id"] in node_ids}


def check_rows(db, edition_id: int, rows: list[tuple[int, dict]]) -> tuple[list[dict], list]:
    """The file's rows as results ({node_id, code, indicator, target, actual, row}) and every
    problem (行号, 列, 问题)."""
    from core.xlsx.reader import Problem
    from core.xlsx.survey_io import LABELS

    standards = survey_standards(db, edition_id)
    all_codes = set(db.column("SELECT code FROM framework_nodes WHERE edition_id = :edition AND level = 3",
                              {"edition": edition_id}))
    targets = _targets(db, {s["id"] for s in standards.values()})
    clean, problems, seen = [], [], {}
    for number, v in rows:
        def problem(key: str, message: str, number=number):
            problems.append(Problem(number, LABELS[key], message))

        code = "".join(clean_text(v.get("code")).split())
        indicator = clean_text(v.get("indicator")).strip()
        node = standards.get(code)
        if not code:
            problem("code", "标准编号为空。")
        elif node is None:
            problem("code", f"标准“{code}”的测评方法不含问卷调查。" if code in all_codes
                    else f"测评体系中没有编号为“{code}”的标准。")
        if indicator not in INDICATORS:
            problem("indicator", f"未知的调查指标“{indicator}”。可选：{'、'.join(INDICATORS)}。" if indicator
                    else f"指标为空。可选：{'、'.join(INDICATORS)}。")
        rates = {}
        for key in ("target", "actual"):
            try:
                rates[key] = parse_rate(v.get(key))
            except ValueError as exc:
                problem(key, str(exc))
                rates[key] = False
        if rates["actual"] is None:
            problem("actual", "实际值为空。")
        if rates["target"] is None and node is not None and (node["id"], indicator) in targets:
            rates["target"] = targets[(node["id"], indicator)]
        elif rates["target"] is None and node is not None and indicator in INDICATORS:
            problem("target", f"目标值为空，标准“{code}”的{indicator}也还没有设定目标值。")
        key = (code, indicator)
        if node is not None and indicator in INDICATORS and key in seen:
            problem("indicator", f"标准“{code}”的{indicator}在第 {seen[key]} 行已经出现过。")
        seen.setdefault(key, number)
        if not any(p.row == number for p in problems):
            clean.append({"row": number, "node_id": node["id"], "code": code, "indicator": indicator,
                          "target": rates["target"], "actual": rates["actual"]})
    return clean, problems


def _round_for(db, round_name: str) -> tuple[int, bool]:
    """The round named (created, in the current edition, when there is none) and whether it was new."""
    found = find_round(db, round_name)
    if found is not None:
        return found, False
    return create_round(db, round_name, infer_kind(round_name), clock.today(), framework.current_edition_id(db)), True


def import_survey(db, path, round_name: str) -> dict:
    """Check the whole file, then record every row as the round's result in one transaction (the
    standard's target becomes the one given). Returns {'round_id', 'created_round', 'results': the
    rows with 'met'}."""
    from core.xlsx import survey_io

    rows = survey_io.read_survey(path)
    existing = find_round(db, round_name)
    edition_id = (get_round(db, existing)["edition_id"] if existing else None) or framework.current_edition_id(db)
    if edition_id is None:
        raise AppError("还没有测评体系版本，无法对照标准编号。请先导入责任分解表。")
    results, problems = check_rows(db, edition_id, rows)
    if problems:
        raise AppError(f"问卷调查结果中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。",
                       problems=problems)
    if not results:
        raise AppError("文件中没有问卷调查结果。")
    with db.write():
        round_id, created = _round_for(db, round_name)
        for r in results:
            _save(db, round_id, r["node_id"], r["indicator"], r["target"], r["actual"])
            r["met"] = is_met(r["actual"], r["target"])
        met = sum(1 for r in results if r["met"])
        audit.log(db, "导入问卷调查结果", "score_rounds", round_id, None,
                  {"rows": len(results), "met": met, "not_met": len(results) - met}, str(path))
    return {"round_id": round_id, "created_round": created, "results": results}


def _save(db, round_id: int, node_id: int, indicator: str, target: float, actual: float) -> int:
    db.upsert("survey_targets", {"node_id": node_id, "indicator": indicator, "target": target},
              key=["node_id", "indicator"])
    db.upsert("survey_results", {"round_id": round_id, "node_id": node_id, "indicator": indicator,
                                 "target": target, "actual": actual}, key=["round_id", "node_id", "indicator"])
    return db.value("SELECT id FROM survey_results WHERE round_id = :round AND node_id = :node"
                    " AND indicator = :indicator", {"round": round_id, "node": node_id, "indicator": indicator})


def record_survey_result(db, round_id: int, code: str, indicator: str, target, actual) -> int:
    """One result typed in the 测评 page (rates as a user types them: 85%, 0.85 or 85; a blank
    target keeps the standard's). Returns the result's id."""
    with db.write():
        rnd = get_round(db, round_id)
        edition_id = rnd["edition_id"] or framework.current_edition_id(db)
        results, problems = check_rows(db, edition_id, [(0, {"code": code, "indicator": indicator,
                                                             "target": target, "actual": actual})])
        if problems:
            raise AppError("；".join(f"{p.column}：{p.message}" for p in problems))
        r = results[0]
        before = db.one("SELECT target, actual FROM survey_results WHERE round_id = :round AND node_id = :node"
                        " AND indicator = :indicator", {"round": round_id, "node": r["node_id"],
                                                        "indicator": r["indicator"]})
        result_id = _save(db, round_id, r["node_id"], r["indicator"], r["target"], r["actual"])
        audit.log(db, "录入问卷调查结果", "survey_results", result_id, before,
                  {"target": r["target"], "actual": r["actual"]}, f"{rnd['name']} {r['code']} {r['indicator']}")
    return result_id


def delete_survey_result(db, result_id: int) -> None:
    with db.write():
        before = db.one("SELECT * FROM survey_results WHERE id = :id", {"id": result_id})
        if before is None:
            raise AppError(f"找不到编号为 {result_id} 的问卷调查结果，它可能已被删除。")
        db.execute("DELETE FROM survey_results WHERE id = :id", {"id": result_id})
        audit.log(db, "删除问卷调查结果", "survey_results", result_id, before, None, before["indicator"])


def _lineage(db, node_id: int) -> list[int]:
    """The standard and the same standard in earlier editions (its origins)."""
    chain = []
    while node_id is not None and node_id not in chain:
        chain.append(node_id)
        node_id = db.value("SELECT origin_id FROM framework_nodes WHERE id = :id", {"id": node_id})
    return chain


def survey_trend(db, node_id: int, indicator: str) -> list[dict]:
    """The standard's results for an indicator over the rounds, oldest first: round, held_on,
    target, actual, met."""
    chain = _lineage(db, node_id)
    found = [r for r in db.rows(
        "SELECT s.node_id, r.name AS round, r.held_on, s.target, s.actual FROM survey_results s"
        " JOIN score_rounds r ON r.id = s.round_id WHERE s.indicator = :indicator ORDER BY r.held_on, r.id",
        {"indicator": indicator}) if r["node_id"] in chain]
    for r in found:
        r["met"] = is_met(r["actual"], r["target"])
    return found


def round_surveys(db, round_id: int) -> list[dict]:
    """The round's survey results in 测评体系 order: code, title, indicator, target, actual, met
    (达标/未达标 as `state`), and the trend over the rounds as text (80% → 84% → 88%)."""
    rows = db.rows("SELECT s.id, s.node_id, n.code, n.title, s.indicator, s.target, s.actual FROM survey_results s"
                   " JOIN framework_nodes n ON n.id = s.node_id JOIN framework_nodes p ON p.id = n.parent_id"
                   " JOIN framework_nodes c ON c.id = p.parent_id WHERE s.round_id = :round"
                   " ORDER BY c.position, c.id, p.position, p.id, n.position, n.id, s.indicator, s.id",
                   {"round": round_id})
    first = {}
    for i, r in enumerate(rows):
        first.setdefault(r["node_id"], i)
    # a standard's indicators in the order offices name them (知晓率, 满意率, 支持率)
    rows.sort(key=lambda r: (first[r["node_id"]], INDICATORS.index(r["indicator"])
                             if r["indicator"] in INDICATORS else len(INDICATORS)))
    for r in rows:
        r["met"] = is_met(r["actual"], r["target"])
        r["state"] = "达标" if r["met"] else "未达标"
        r["trend"] = " → ".join(rate_text(t["actual"]) for t in survey_trend(db, r["node_id"], r["indicator"]))
    return rows
