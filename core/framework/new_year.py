"""新年度: the guided year-end step. One transaction turns last year's edition into this year's:
the 测评体系 and its 分解表 are copied (standards linked back by origin_id), the archive checklist is
carried forward (requirements, not verdicts), open 督查问题 move to the new year's standards, and the
new edition and year become current. What belongs to the old year — closed findings, material
verdicts and files, scores, signed letters — stays where it is.

`plan` says what will happen without writing; `run` does it (again validating inside the write lock,
so two offices clicking at once cannot make two new years).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core import audit, clock, letters, materials, settings, supervision
from core.errors import AppError, Cancelled
from core.framework.editions import (copy_edition, current_edition_id, edition_id_by_name, get_edition,
                                     resolve_edition, year_from_text)

CLOSED = "已销号"  # a 督查问题 whose work is done: it stays with its year


@dataclass
class NewYearPlan:
    """What a new year would do (counts), and what stays with the old year."""

    year: int
    source_id: int
    source_name: str
    source_year: int | None
    edition_name: str
    previous_year: int
    previous_edition: str
    # carried into the new year
    categories: int = 0
    indicators: int = 0
    standards: int = 0
    assignments: int = 0
    materials: int = 0
    materials_not_approved: int = 0
    open_findings: int = 0
    letters: int = 0
    # staying with the old year
    retired_standards: int = 0
    materials_on_retired: int = 0
    closed_findings: int = 0
    open_findings_on_retired: int = 0
    open_findings_unlinked: int = 0
    score_rounds: int = 0
    letters_signed: int = 0
    approved_materials: int = 0

    def carried_lines(self) -> list[str]:
        """What the step will do, one Chinese line per area."""
        return [
            (f"新建版本“{self.edition_name}”：复制“{self.source_name}”的测评体系，"
             f"{self.categories} 个测评项目、{self.indicators} 项测评内容、{self.standards} 条测评标准"),
            f"复制责任分解表：{self.assignments} 条牵头/配合分工",
            (f"结转档案材料清单：{self.materials} 项材料要求（不含审核结论和附件），"
             f"其中上年未审核通过的 {self.materials_not_approved} 项会标明，今年重点补齐"),
            f"转入督查问题：{self.open_findings} 个未销号问题改挂到新年度的同一条测评标准，办理记录保留",
            f"责任书：{self.letters} 个责任单位需签订 {self.year} 年度目标责任书（状态为未印发）",
            (f"当前版本改为“{self.edition_name}”（原为“{self.previous_edition}”），"
             f"当前年度改为 {self.year}（原为 {self.previous_year}）"),
        ]

    def staying_lines(self) -> list[str]:
        """What stays with the old edition and year."""
        lines = [f"已销号的督查问题 {self.closed_findings} 个，留在“{self.source_name}”",
                 f"上年材料的审核结论、归档信息和附件（已审核通过 {self.approved_materials} 项）留在“{self.source_name}”",
                 f"测评轮次和成绩 {self.score_rounds} 轮，留在“{self.source_name}”"]
        if self.source_year:
            lines.append(f"{self.source_year} 年度责任书签订记录（已签订 {self.letters_signed} 个单位）保留不变")
        if self.retired_standards:
            lines.append(f"已停用的测评标准 {self.retired_standards} 条不复制"
                         + (f"，其上的 {self.materials_on_retired} 项材料不结转" if self.materials_on_retired else ""))
        if self.open_findings_on_retired:
            lines.append(f"挂在已停用标准上的未销号问题 {self.open_findings_on_retired} 个，仍挂在上年标准上，照常办理")
        if self.open_findings_unlinked:
            lines.append(f"未关联测评标准的未销号问题 {self.open_findings_unlinked} 个不受影响，照常办理")
        return lines

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class NewYearResult:
    """What a new year did."""

    plan: NewYearPlan
    edition_id: int
    standards: int
    assignments: int
    materials: int
    findings: int
    finding_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        p = self.plan
        return [
            f"已建立“{p.edition_name}”（由“{p.source_name}”复制），并设为当前版本；当前年度改为 {p.year}。",
            f"测评标准：{self.standards} 条",
            f"责任分解表：{self.assignments} 条分工",
            f"档案材料清单：结转 {self.materials} 项材料要求（上年未审核通过的 {p.materials_not_approved} 项已标记）",
            f"督查问题：{self.findings} 个未销号问题转入新年度",
            f"责任书：{p.letters} 个责任单位待签订 {p.year} 年度目标责任书",
        ]


def check_year(year) -> int:
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        raise AppError(f"年度“{year}”不是四位年份，请写成 2027 这样的形式。") from None
    if not 2000 <= value <= 2100:
        raise AppError(f"年度 {value} 不在 2000 到 2100 之间，请填写四位年份，例如 2027。")
    return value


def edition_name(year: int) -> str:
    return f"{year}年度"


def _source(db, edition_id: int | None) -> dict:
    """The source edition: the one given, else the current one."""
    return get_edition(db, resolve_edition(db) if edition_id is None else edition_id)


def _edition_year(edition: dict) -> int | None:
    return edition["year"] or year_from_text(edition["name"])


def default_year(db, from_edition: int | None = None) -> int:
    """The year a new year most likely means: the one after the source edition's, or the current
    year when that is already later (the office moved the year on before making the edition)."""
    current = settings.get(db, "current_year")
    try:
        source_year = _edition_year(_source(db, from_edition))
    except AppError:
        source_year = None
    if source_year is None:
        return current + 1
    return min(max(source_year + 1, current), 2100)


def _copyable(db, source_id: int) -> list[dict]:
    """The nodes copy_edition copies: active ones whose parents are copied too."""
    kept: dict[int, dict] = {}
    for n in db.rows("SELECT id, parent_id, level FROM framework_nodes WHERE edition_id = :edition AND retired = 0"
                     " ORDER BY level, position, id", {"edition": source_id}):
        if n["parent_id"] is None or n["parent_id"] in kept:
            kept[n["id"]] = n
    return list(kept.values())


def plan(db, year, from_edition: int | None = None) -> NewYearPlan:
    """What a new year `year` from the edition `from_edition` (None: the current edition)
    would do. Refuses with AppError when it cannot be done; writes nothing."""
    year = check_year(year)
    source = _source(db, from_edition)
    name = edition_name(year)
    if edition_id_by_name(db, name) is not None:
        raise AppError(f"已有名为“{name}”的版本，不能再建立 {year} 年度的新年度（每个年度只建立一次，不会重复复制）。"
                       "如只是要切换版本，请在“测评体系”页选择它；如要重做，请先从建立前的备份恢复。")
    same_year = db.rows("SELECT name FROM editions WHERE year = :year ORDER BY id", {"year": year})
    if same_year:
        raise AppError(f"已有 {year} 年度的版本“{same_year[0]['name']}”。如要以它作为新年度，请在“测评体系”页把它设为"
                       f"当前版本，并在“设置”中把当前年度改为 {year}；否则请换一个年份。")
    source_year = _edition_year(source)
    if source_year is not None and year <= source_year:
        raise AppError(f"新年度 {year} 不晚于来源版本“{source['name']}”的年度 {source_year}。"
                       f"新年度应在来源版本之后，例如 {source_year + 1}。")
    current_year = settings.get(db, "current_year")
    if year < current_year:
        raise AppError(f"新年度 {year} 早于当前年度 {current_year}，新年度只能向后建立。"
                       "如当前年度设置有误，请先在“设置”中更正。")
    nodes = _copyable(db, source["id"])
    if not any(n["level"] == 3 for n in nodes):
        raise AppError(f"版本“{source['name']}”中没有可复制的测评标准。请先导入责任分解表，或选择其他来源版本。")
    current_id = current_edition_id(db)
    p = NewYearPlan(year=year, source_id=source["id"], source_name=source["name"], source_year=source_year,
                    edition_name=name, previous_year=current_year,
                    previous_edition=get_edition(db, current_id)["name"] if current_id else "（无）")
    p.categories = sum(1 for n in nodes if n["level"] == 1)
    p.indicators = sum(1 for n in nodes if n["level"] == 2)
    p.standards = sum(1 for n in nodes if n["level"] == 3)
    p.retired_standards = db.value("SELECT count(*) FROM framework_nodes WHERE edition_id = :edition AND level = 3",
                                   {"edition": source["id"]}) - p.standards
    _count_by_node(db, p, source["id"], {n["id"] for n in nodes})
    p.letters = letters.units_with_tasks_count(db, source["id"])
    p.score_rounds = db.value("SELECT count(*) FROM score_rounds WHERE edition_id = :edition", {"edition": source["id"]})
    if source_year:
        p.letters_signed = letters.signed_count(db, source_year)
    p.open_findings_unlinked = db.value("SELECT count(*) FROM findings WHERE node_id IS NULL AND status <> :closed",
                                        {"closed": CLOSED})
    return p


def _count_by_node(db, p: NewYearPlan, source_id: int, copied: set[int]) -> None:
    """Counts of the source edition's 分解表 rows, materials and findings, split by whether their
    standard is copied. One pass each, in Python: the sets are a few thousand rows at most."""
    edition = {"edition": source_id}
    p.assignments = sum(1 for node_id in db.column(
        "SELECT a.node_id FROM assignments a JOIN framework_nodes n ON n.id = a.node_id WHERE n.edition_id = :edition",
        edition) if node_id in copied)
    for m in db.rows("SELECT node_id, status FROM materials WHERE edition_id = :edition AND removed = 0", edition):
        node_id, status = m["node_id"], m["status"]
        if node_id in copied:
            p.materials += 1
            p.materials_not_approved += status not in materials.APPROVED
        else:
            p.materials_on_retired += 1
        p.approved_materials += status in materials.APPROVED
    for f in db.rows("SELECT f.node_id, f.status FROM findings f JOIN framework_nodes n ON n.id = f.node_id"
                     " WHERE n.edition_id = :edition", edition):
        node_id, status = f["node_id"], f["status"]
        if status == CLOSED:
            p.closed_findings += 1
        elif node_id in copied:
            p.open_findings += 1
        else:
            p.open_findings_on_retired += 1


def run(db, plan_or_year, progress=None, cancel=None, *, from_edition: int | None = None) -> NewYearResult:
    """Make the new year in one transaction (all of it or nothing). `plan_or_year` is a plan from
    `plan` or a year (with `from_edition`). The plan is made again inside the write lock: a new year
    made meanwhile by someone else is refused, not made twice."""
    if isinstance(plan_or_year, NewYearPlan):
        year, source = plan_or_year.year, plan_or_year.source_id
    else:
        year, source = plan_or_year, from_edition

    def tick(done, total, text):
        if cancel and cancel():
            raise Cancelled()
        if progress:
            progress(done, total, text)

    with db.write():
        p = plan(db, year, source)
        copied_nodes = p.categories + p.indicators + p.standards
        total = copied_nodes + 3
        tick(0, total, "复制测评体系和分解表")
        new_id = copy_edition(db, p.source_id, p.edition_name, p.year,
                              progress=lambda d, _t, _text: tick(min(d, copied_nodes), total, "复制测评体系和分解表"))
        db.update("editions", new_id, {"copied_from": p.source_id})
        tick(copied_nodes, total, "结转档案材料清单")
        carried = materials.carry_forward(db, p.source_id, new_id)
        tick(copied_nodes + 1, total, "转入未销号的督查问题")
        finding_ids = _carry_findings(db, p, new_id)
        tick(copied_nodes + 2, total, "设置当前版本和年度")
        settings.set_many(db, {"current_edition_id": new_id, "current_year": p.year})
        result = NewYearResult(
            plan=p, edition_id=new_id,
            standards=db.value("SELECT count(*) FROM framework_nodes WHERE edition_id = :edition AND level = 3",
                               {"edition": new_id}),
            assignments=db.value("SELECT count(*) FROM assignments a JOIN framework_nodes n ON n.id = a.node_id"
                                 " WHERE n.edition_id = :edition", {"edition": new_id}),
            materials=carried, findings=len(finding_ids), finding_ids=finding_ids)
        audit.log(db, "建立新年度", "editions", new_id,
                  {"current_year": p.previous_year, "current_edition": p.previous_edition},
                  {"year": p.year, "edition": p.edition_name, "from": p.source_name, "standards": result.standards,
                   "assignments": result.assignments, "materials": carried, "findings": finding_ids,
                   "letters": p.letters},
                  f"{p.source_name} → {p.edition_name}：标准 {result.standards} 条，分工 {result.assignments} 条，"
                  f"材料 {carried} 项，转入问题 {len(finding_ids)} 个")
        tick(total, total, "完成")
    return result


def _carry_findings(db, p: NewYearPlan, new_id: int) -> list[int]:
    """Open findings on the source edition's standards now hang on the same standards of the new
    edition; each gets a dated step in its history saying so."""
    mapping = {r["origin_id"]: r["id"] for r in db.rows(
        "SELECT origin_id, id FROM framework_nodes WHERE edition_id = :edition AND origin_id IS NOT NULL",
        {"edition": new_id})}
    moved = []
    today = clock.today().isoformat()
    for f in db.rows("SELECT f.id, f.node_id, f.status, n.code FROM findings f JOIN framework_nodes n"
                     " ON n.id = f.node_id WHERE n.edition_id = :edition AND f.status <> :closed ORDER BY f.id",
                     {"edition": p.source_id, "closed": CLOSED}):
        new_node = mapping.get(f["node_id"])
        if new_node is None:
            continue  # its standard was retired and not copied: it stays on last year's
        db.execute("UPDATE findings SET node_id = :node WHERE id = :id", {"node": new_node, "id": f["id"]})
        supervision.record_event(db, f["id"], today, "转入新年度", f["status"], f["status"],
                           note=f"测评标准 {f['code']} 由“{p.source_name}”转入“{p.edition_name}”")
        moved.append(f["id"])
    return moved
