"""The demo district's 测评轮次 (demo.json key "scoring"): two rounds of 点位 results, each line
checked as an import would check it."""

from __future__ import annotations

from core import framework, scoring
from core.errors import AppError


def load_demo_part(db, demo: dict) -> None:
    """Inside load_demo's transaction."""
    part = demo.get("scoring")
    if not part:
        return
    edition_id = framework.current_edition_id(db)
    matcher = scoring.LineMatcher(db, edition_id)
    for rnd in part["rounds"]:
        round_id = scoring.create_round(db, rnd["name"], rnd["kind"], rnd["held_on"], edition_id)
        prepared = []
        for entry in rnd["lines"]:
            data = {**entry, "full_points": entry.get("full"), "loss": None,
                    "units": [n for n in (entry.get("units") or "").split("、") if n]}
            line, problems = scoring.prepare_line(matcher, data)
            if problems:
                raise AppError(f"示例数据有误（{rnd['name']}）：{problems}")
            prepared.append(line)
        scoring.insert_lines(db, round_id, prepared)
