"""The review of materials: the moves a material's status can make, and the 档案审查 walk through
the checklist with its saved place."""

from __future__ import annotations

from core import attachments, audit, clock
from core.errors import AppError
from core.materials.archive import placement
from core.materials.checklist import files_of, get_material
from core.materials.records import (ARCHIVED, NEEDS_MORE, OWNER, PASSED, PENDING, SUBMITTED, material_row)
from core.workflow import Transition, Workflow

# The only moves a material can make.
TRANSITIONS = Workflow("材料", {
    "submit": Transition("提交", (PENDING, NEEDS_MORE), SUBMITTED),
    "approve": Transition("审核通过", (PENDING, SUBMITTED, NEEDS_MORE), PASSED),
    "request": Transition("需补充", (PENDING, SUBMITTED, PASSED), NEEDS_MORE),
    "archive": Transition("归档", (PASSED,), ARCHIVED),
    "unarchive": Transition("撤销归档", (ARCHIVED,), PASSED),
    "reopen": Transition("退回待提交", (SUBMITTED, PASSED, NEEDS_MORE), PENDING),
})


def allowed_actions(status: str) -> list[str]:
    return TRANSITIONS.allowed(status)


def change_status(db, material_id: int, action: str, *, comment: str = "", box: int | None = None,
                  item: int | None = None, pages: int | None = None) -> str:
    """Move a material along TRANSITIONS; returns the new status. 需补充 needs a comment the unit
    will see; 审核通过 needs at least one file; 归档 needs a box and an item number free in it."""
    with db.write():
        before = material_row(db, material_id)
        t = TRANSITIONS.move(action, before["status"], before["title"])
        now = clock.stamp()
        change: dict = {"status": t.target, "updated_at": now}
        if action == "request":
            comment = str(comment or "").strip()
            if not comment:
                raise AppError("标记“需补充”时请填写审核意见，说明需要补充什么（责任单位会看到）。")
            change["comment"] = comment
        if action == "approve":
            if not db.value("SELECT count(*) FROM attachments WHERE owner_table = :owner AND owner_id = :id",
                            {"owner": OWNER, "id": material_id}):
                raise AppError(f"材料“{before['title']}”还没有附件，不能审核通过。请先添加文件，或标记为“需补充”。")
            change["comment"] = str(comment or "").strip()
        if action in ("approve", "request"):
            change.update(reviewed_at=now, reviewed_by=db.operator)
        if action == "archive":
            change.update(placement(db, before, box, item, pages))
        if action == "unarchive":
            change.update(box=None, item=None, pages=None)
        db.update("materials", material_id, change)
        audit.log(db, t.label, OWNER, material_id, {k: before.get(k) for k in change if k != "updated_at"},
                  {k: v for k, v in change.items() if k != "updated_at"}, before["title"])
    return t.target


def submit_if_pending(db, material_id: int) -> bool:
    """After files were attached: a material still 待提交 (or 需补充) becomes 已提交."""
    if material_row(db, material_id)["status"] in TRANSITIONS["submit"].sources:
        change_status(db, material_id, "submit")
        return True
    return False


# --- the 档案审查 walk ----------------------------------------------------------------------------

TO_REVIEW = (SUBMITTED, NEEDS_MORE)  # with a file: what the reviewer has something to look at


def review_order(db, edition_id: int, *, to_review_only: bool = False) -> list[int]:
    """Material ids in 测评体系 order: the path the 档案审查 walks. to_review_only keeps the
    materials waiting for a verdict (已提交/需补充 with at least one file), so that 待提交 items
    with nothing to look at are not in the way."""
    params = {"edition": edition_id, "owner": OWNER, **{f"status_{i}": s for i, s in enumerate(TO_REVIEW)}}
    waiting = (f" AND m.status IN ({', '.join(':status_' + str(i) for i in range(len(TO_REVIEW)))})"
               " AND EXISTS (SELECT 1 FROM attachments a WHERE a.owner_table = :owner AND a.owner_id = m.id)"
               if to_review_only else "")
    return db.column(
        "SELECT m.id FROM materials m JOIN framework_nodes n ON n.id = m.node_id"
        " JOIN framework_nodes p ON p.id = n.parent_id JOIN framework_nodes c ON c.id = p.parent_id"
        " WHERE m.edition_id = :edition AND m.removed = 0" + waiting +
        " ORDER BY c.position, c.id, p.position, p.id, n.position, n.id, m.position, m.id", params)


def review_position(db, edition_id: int) -> int | None:
    return db.value("SELECT material_id FROM material_review_progress WHERE edition_id = :edition",
                    {"edition": edition_id})


def save_review_position(db, edition_id: int, material_id: int) -> None:
    """Where the walk is (not audited: it is a bookmark, not a change to the archive)."""
    with db.write():
        db.upsert("material_review_progress",
                  {"edition_id": edition_id, "material_id": material_id, "updated_at": clock.stamp()},
                  key=["edition_id"])


def review_item(db, material_id: int) -> dict:
    """One step of the review: the material, its standard, and its files with their stored paths."""
    m = get_material(db, material_id)
    m["files"] = files_of(db, material_id)
    for f in m["files"]:
        f["path"] = attachments.stored_path(db, f["sha256"])
        f["is_image"] = attachments.is_image_name(f["original_name"])
        f["is_pdf"] = f["original_name"].lower().endswith(".pdf")
    return m
