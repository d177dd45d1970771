"""The demo district's 督查督办: its 点位 and a few weeks of findings at every stage.

Dates are counted back from today so that deadlines, overdue and 挂牌 look as in real use."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from core import clock, settings, units
from core import supervision
from core.supervision import CLOSED, FIXING, ISSUED, REPORTED, SIGNED

# Stages of the demo's findings beyond the statuses: how they got there.
ON_SPOT, VOID_AND_REISSUE, REVIEW_FAILED = "现场整改", "作废重开", "复查未通过"
_ORDER = [ISSUED, SIGNED, FIXING, REPORTED, CLOSED]


def load_demo_part(db, demo: dict, today: dt.date | None = None) -> None:
    """Inside load_demo's transaction."""
    part = demo.get("supervision")
    if not part:
        return
    today = today or clock.today()
    settings.set(db, "notice_contact", part["contact"])
    res = units.resolver(db)
    site_ids = {}
    for s in part["sites"]:
        site_ids[s["name"]] = supervision.create_site(
            db, {k: s[k] for k in ("name", "site_type", "address")}, res.lookup(s["locality"])[1],
            [res.lookup(u)[1] for u in s["units"]])
    with tempfile.TemporaryDirectory() as tmp:
        before = _demo_photo(Path(tmp) / "整改前.jpg", (150, 120, 90))
        after = _demo_photo(Path(tmp) / "整改后.jpg", (90, 150, 110))
        notices: dict[str, list[tuple[int, dt.date]]] = {}
        for item in part["findings"]:
            found = today - dt.timedelta(days=item["days_ago"])
            data = {"found_on": found, "source": item["source"], "site_id": site_ids[item["site"]],
                    "node_id": supervision.find_standard(db, item["code"]), "description": item["description"],
                    "severity": item["severity"], "fixed_on_spot": item["stage"] == ON_SPOT}
            fid = supervision.create_finding(db, data, photos=[before],
                                             after_photos=[after] if data["fixed_on_spot"] else [],
                                             fix_note="检查组督促现场整改到位")
            if item["notice"]:
                notices.setdefault(item["notice"], []).append((fid, found))
                item["finding_id"] = fid
        stages = {i["finding_id"]: i["stage"] for i in part["findings"] if "finding_id" in i}
        for group in notices.values():
            ids = [fid for fid, _ in group]
            issued = min(max(found for _, found in group) + dt.timedelta(days=1), today)
            unit_id = supervision.get_finding(db, ids[0])["unit_id"]
            notice = supervision.issue_notice(db, unit_id, ids, issued_on=issued)
            if any(stages[f] == VOID_AND_REISSUE for f in ids):
                supervision.void_notice(db, notice["id"], "通知单中整改要求表述有误，重新开具", issued)
                notice = supervision.issue_notice(db, unit_id, ids, issued_on=issued)
            _demo_steps(db, notice["id"], ids, stages, issued, today, after)


def _demo_steps(db, notice_id, ids, stages, issued, today, after_photo) -> None:
    def day(offset):
        return min(issued + dt.timedelta(days=offset), today)

    if all(stages[f] in (ISSUED, VOID_AND_REISSUE) for f in ids):
        return
    liaison = supervision.get_notice(db, notice_id)["liaison"] or "单位联络员"
    supervision.record_receipt(db, notice_id, liaison, day(1), "已收到，立即安排整改")
    for fid in ids:
        stage = stages[fid]
        target = FIXING if stage == REVIEW_FAILED else stage
        if _ORDER.index(target) >= _ORDER.index(FIXING):
            supervision.start_fixing(db, fid, day(1))
        if _ORDER.index(target) >= _ORDER.index(REPORTED) or stage == REVIEW_FAILED:
            supervision.feedback(db, fid, "已组织人员清理整治，完成整改", day(3), after_photos=[after_photo])
        if stage == CLOSED:
            supervision.review(db, fid, "区创城办督查组", True, "现场复查，整改到位", on_date=day(4))
        if stage == REVIEW_FAILED:
            supervision.review(db, fid, "区创城办督查组", False, "复查时仍有小广告，垃圾未清运完毕", on_date=day(4))


def _demo_photo(path, colour) -> str:
    """A stand-in street photo (sky, buildings, road) for the demo's findings."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (170, 200, 230))
    draw = ImageDraw.Draw(img)
    for i, x in enumerate(range(20, 640, 120)):
        draw.rectangle([x, 120 + (i % 3) * 30, x + 90, 330], fill=(200 - i * 10, 190 - i * 8, 170))
    draw.rectangle([0, 330, 640, 480], fill=colour)
    draw.ellipse([260, 360, 380, 430], fill=(colour[0] - 60, colour[1] - 60, colour[2] - 60))
    img.save(path, quality=80)
    return str(path)
