"""The demo district's letters: generated in February, some issued and signed since, and two
units whose tasks changed in the 分解表 after their letters were printed."""

from __future__ import annotations

import json

from core import framework, letters, units


def load_demo_part(db, demo: dict) -> None:
    part = demo.get("letters")
    edition_id = framework.current_edition_id(db)
    if not part or edition_id is None:
        return
    year = part["year"]
    with db.write():
        built, _ = letters.build_letters(db, year, edition_id)
        letters.record_generation(db, year, edition_id, built)
        res = units.resolver(db)
        for name, codes in part.get("changed_since_generation", {}).items():
            unit_id = res.lookup(name)[1]
            letter = next(x for x in built if x.unit["id"] == unit_id)
            earlier = [t for t in letters.task_snapshot(letter.tasks) if t["code"] not in codes]
            db.execute("UPDATE letter_status SET snapshot = :snapshot WHERE year = :year AND unit_id = :unit",
                       {"snapshot": json.dumps(earlier, ensure_ascii=False), "year": year, "unit": unit_id})
        db.execute("UPDATE letter_status SET generated_at = :at WHERE year = :year",
                   {"at": part["generated_at"], "year": year})
        for mark in part.get("marks", []):
            unit_id = res.lookup(mark["unit"])[1]
            letters.set_state(db, year, unit_id, letters.ISSUED, on=mark["issued_on"])
            if mark["state"] == letters.SIGNED:
                letters.set_state(db, year, unit_id, letters.SIGNED, on=mark["signed_on"], signed_by=mark["signed_by"])
