"""The demo district's units, groups and 测评体系 with its 分解表: the foundation every other demo
part builds on."""

from __future__ import annotations

from core import framework, settings, units


def _split(text: str) -> list[str]:
    return [p for p in (text or "").split("、") if p]


def load_demo_part(db, demo: dict, progress=None) -> dict:
    """Write the district's settings, units, groups and edition (inside the caller's transaction);
    returns {'units', 'standards'}."""
    with db.write():
        settings.set_many(db, demo["settings"])
        res = units.resolver(db)
        ids = {u["name"]: units.create_unit(db, u, res) for u in demo["units"]}
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
                    node_id = framework.add_node(db, edition_id, ind_id, {k: s[k] for k in framework.NODE_FIELDS})
                    framework.set_assignments(db, node_id, [res.lookup(n) for n in _split(s["lead"])],
                                              [res.lookup(n) for n in _split(s["support"])])
                    done += 1
                    if progress:
                        progress(done, total, s["code"])
    return {"units": len(ids), "standards": total}
