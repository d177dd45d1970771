"""测评轮次: a round of assessment (自查, 模拟测评, 市测 …) with its date and the edition it follows."""

from __future__ import annotations

from core import audit, clock, dates, framework
from core.errors import AppError

# What kind of assessment a round was, strongest last.
SELF_CHECK = "自查"
MOCK = "模拟测评"
CITY = "市测"
PROVINCE = "省测"
NATIONAL = "国测"
KINDS = [SELF_CHECK, MOCK, CITY, PROVINCE, NATIONAL]


def infer_kind(name: str) -> str:
    """The kind a round's name says ("2026年市测" → 市测); 自查 when it says none."""
    for kind in (NATIONAL, PROVINCE, CITY, MOCK, SELF_CHECK):
        if kind in name:
            return kind
    if "模拟" in name:
        return MOCK
    return SELF_CHECK


def list_rounds(db) -> list[dict]:
    """Every round, oldest first, with its totals (one pass over the results, not three per round)."""
    return db.rows("""
        SELECT r.*, e.name AS edition_name, coalesce(t.line_count, 0) AS line_count,
               coalesce(t.full_points, 0) AS full, coalesce(t.score, 0) AS score
          FROM score_rounds r LEFT JOIN editions e ON e.id = r.edition_id
          LEFT JOIN (SELECT round_id, count(*) AS line_count, sum(full_points) AS full_points, sum(score) AS score
                       FROM score_results GROUP BY round_id) t ON t.round_id = r.id
         ORDER BY r.held_on, r.id""")


def get_round(db, round_id: int) -> dict:
    found = db.one("SELECT r.*, e.name AS edition_name FROM score_rounds r"
                   " LEFT JOIN editions e ON e.id = r.edition_id WHERE r.id = :id", {"id": round_id})
    if found is None:
        raise AppError(f"找不到编号为 {round_id} 的测评轮次，它可能已被删除。")
    return found


def clean_name(name) -> str:
    return " ".join(str(name or "").split())


def find_round(db, name: str) -> int | None:
    return db.value("SELECT id FROM score_rounds WHERE name = :name", {"name": clean_name(name)})


def resolve_round(db, name: str) -> int:
    """The round a command names; the message lists the rounds there are."""
    found = find_round(db, name)
    if found is None:
        names = "、".join(r["name"] for r in list_rounds(db)) or "（暂无）"
        raise AppError(f"找不到测评轮次“{name}”。现有轮次：{names}。")
    return found


def clean_round(db, name, kind, held_on, edition_id) -> dict:
    """A round's fields checked: a name, a known kind (else the one its name says), a date, an edition."""
    name = clean_name(name)
    if not name:
        raise AppError("测评轮次名称不能为空，例如“2026年市测”。")
    kind = kind or infer_kind(name)
    if kind not in KINDS:
        raise AppError(f"未知的测评类型“{kind}”。可选：{'、'.join(KINDS)}。")
    held_on = dates.iso(held_on, "测评日期")
    if edition_id is not None:
        framework.get_edition(db, edition_id)
    return {"name": name, "kind": kind, "held_on": held_on, "edition_id": edition_id}


def create_round(db, name: str, kind: str | None = None, held_on=None, edition_id: int | None = None,
                 note: str = "") -> int:
    with db.write():
        data = clean_round(db, name, kind, held_on or clock.today(), edition_id)
        if find_round(db, data["name"]):
            raise AppError(f"已有名为“{data['name']}”的测评轮次。请换一个名称，或在导入时选择替换该轮次的成绩。")
        data.update(note=note, created_at=clock.stamp())
        round_id = db.insert("score_rounds", data)
        audit.log(db, "新建测评轮次", "score_rounds", round_id, None, data, data["name"])
    return round_id


def update_round(db, round_id: int, name: str, kind: str, held_on, edition_id: int | None) -> None:
    with db.write():
        before = get_round(db, round_id)
        data = clean_round(db, name, kind, held_on, edition_id)
        other = find_round(db, data["name"])
        if other and other != round_id:
            raise AppError(f"已有名为“{data['name']}”的测评轮次，请换一个名称。")
        changed = {k: v for k, v in data.items() if before[k] != v}
        if changed:
            db.update("score_rounds", round_id, changed)
            audit.log(db, "修改测评轮次", "score_rounds", round_id, {k: before[k] for k in changed}, changed,
                      before["name"])


def delete_round(db, round_id: int) -> None:
    with db.write():
        before = get_round(db, round_id)
        lines = db.value("SELECT count(*) FROM score_results WHERE round_id = :round", {"round": round_id})
        db.execute("DELETE FROM score_results WHERE round_id = :round", {"round": round_id})  # units cascade
        db.execute("DELETE FROM score_rounds WHERE id = :id", {"id": round_id})
        audit.log(db, "删除测评轮次", "score_rounds", round_id, {**before, "lines": lines}, None, before["name"])
