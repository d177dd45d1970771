"""Turning losses into work (转为督查问题): selected loss lines of a round become 督查 findings, one
per accountable unit, ready to be handed over with a 督办通知单 ("谁丢分、谁负责"). The findings
are made by the supervision area's own functions, with its rules."""

from __future__ import annotations

import datetime as dt

from core import audit, clock, settings, supervision
from core.errors import AppError
from core.scoring.attribution import attribute
from core.scoring.points import EPS
from core.scoring.results import get_line
from core.scoring.rounds import get_round

# A finding made from a loss: where it came from and how serious it starts (supervision's words).
FINDING_SOURCE = "测评反馈"
FINDING_SEVERITY = "一般"


def findings_from_losses(db, line_ids: list[int], found_on: dt.date | None = None) -> dict:
    """Create one finding (source 测评反馈) per accountable unit of each selected line with a loss,
    in one transaction. Lines that cannot become a finding are listed, not dropped: a line without a
    点位 (per-standard results) or with nobody accountable. A unit's share already turned into a
    finding makes nothing new: that finding is listed as existing. Returns {'created': [ids],
    'existing': [ids], 'skipped': [text]}."""
    if not line_ids:
        raise AppError("请先在成绩明细中选择要转为督查问题的失分记录。")
    wanted = set(line_ids)
    by_round: dict[int, list[int]] = {}
    for line_id in line_ids:
        by_round.setdefault(get_line(db, line_id)["round_id"], []).append(line_id)
    site_types = settings.vocab(db, "site_type")
    created, existing, skipped = [], [], []
    with db.write():
        for round_id in by_round:
            rnd = get_round(db, round_id)
            shares, unattributed = attribute(db, round_id)
            for line in unattributed:
                if line["id"] in wanted and line["loss"] > EPS:
                    skipped.append(f"{line['code'] or line['category_name']} {line['site']}：没有责任单位")
            for share in shares:
                line = share["line"]
                if line["id"] not in wanted or share["loss"] <= EPS:
                    continue
                done = db.value("SELECT finding_id FROM loss_findings WHERE result_id = :line AND unit_id = :unit",
                                {"line": line["id"], "unit": share["unit_id"]})
                if done:
                    existing.append(done)
                    continue
                label = f"{line['code'] or line['category_name']} {line['site'] or line['item']}".strip()
                if not line["site"]:
                    skipped.append(f"{label}：按标准的成绩没有点位，请在督查督办中手工录入")
                    continue
                try:
                    with db.write():  # a refused finding leaves no new 点位 behind
                        site_type = line["site_type"] if line["site_type"] in site_types else ""
                        site_id = supervision.site_for_entry(db, line["site"], site_type, line["locality_unit_id"])
                        reason = line["reason"] or line["standard_title"] or line["category_name"]
                        finding_id = supervision.create_finding(db, {
                            "found_on": found_on or clock.today(), "source": FINDING_SOURCE, "site_id": site_id,
                            "node_id": line["node_id"], "unit_id": share["unit_id"], "severity": FINDING_SEVERITY,
                            "description": f"{rnd['name']}失分 {share['loss']:g} 分：{reason}"})
                except AppError as exc:
                    skipped.append(f"{label}：{exc.message_zh}")
                    continue
                db.insert("loss_findings", {"result_id": line["id"], "unit_id": share["unit_id"],
                                            "finding_id": finding_id}, returning_id=False)
                audit.log(db, "转为督查问题", "score_results", line["id"], None,
                          {"unit_id": share["unit_id"], "finding_id": finding_id}, f"{label} → {finding_id} 号问题")
                created.append(finding_id)
    return {"created": created, "existing": existing, "skipped": skipped}

