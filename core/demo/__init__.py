"""The demo district (示例数据): a realistic office to try the program on and to test against."""

from __future__ import annotations

import json

from core import framework, settings, units
from core.db import scalar, write
from core.errors import AppError
from core.resources import resource_path


def is_empty(db) -> bool:
    return not (scalar(db, "SELECT count(*) FROM units") or scalar(db, "SELECT count(*) FROM editions"))


def load_demo(db, progress=None) -> dict:
    """Fill an empty database with the demo district, in one transaction."""
    if not is_empty(db):
        raise AppError("数据文件夹中已有数据，示例数据只能加载到空的数据文件夹。"
                       "请用 --data 指定一个新的文件夹。")
    demo = json.loads(resource_path("demo", "demo.json").read_text(encoding="utf-8"))
    with write(db):
        settings.set_many(db, demo["settings"])
        ids = {u["name"]: units.create_unit(db, u) for u in demo["units"]}
        for g in demo["groups"]:
            units.save_group(db, g["name"], [ids[m] for m in g["members"]])
        e = demo["edition"]
        edition_id = framework.create_edition(db, e["name"], e["year"], e["title"])
        framework.set_current_edition(db, edition_id)
        res = units.resolver(db)
        total = sum(len(i["children"]) for c in demo["categories"] for i in c["children"])
        done = 0
        for cat in demo["categories"]:
            cat_id = framework.add_node(db, edition_id, None, {"title": cat["title"]})
            for ind in cat["children"]:
                ind_id = framework.add_node(db, edition_id, cat_id, {"title": ind["title"]})
                for s in ind["children"]:
                    fields = {k: s[k] for k in ("code", "title", "methods", "points", "working_group",
                                                "deadline", "negative")}
                    node_id = framework.add_node(db, edition_id, ind_id, fields)
                    lead = [res.lookup(n) for n in _split(s["lead"])]
                    support = [res.lookup(n) for n in _split(s["support"])]
                    framework.set_assignments(db, node_id, lead, support)
                    done += 1
                    if progress:
                        progress(done, total, s["code"])
        from core import scoring
        scoring.load_demo_part(db, demo)
        from core import letters
        letters.load_demo_part(db, demo)
        from core import supervision
        supervision.load_demo_part(db, demo)
        from core.demo import materials
        materials.load_demo_part(db, demo)
    return {"units": len(ids), "standards": total}


def _split(text: str) -> list[str]:
    return [p for p in (text or "").split("、") if p]
