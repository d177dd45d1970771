"""One search over every kind of record: standards, units, materials and their files, findings,
notices and results.

Each kind has an index table of the store (core.store.search): every word must occur in a record's
indexed texts, a one- or two-character word (一两个字, common in Chinese) as well as a longer one.
Hits of each kind come in record order with exact and leading matches first; no bm25 ranking,
because ranking needs every match and a common word matches tens of thousands of rows at ten
times a district's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import framework

KINDS = ("标准", "单位", "材料", "附件", "问题", "通知", "结果")

# Where a hit is shown: the page key that opens it (see gui/views) per kind.
PAGE_OF_KIND = {"标准": "framework", "单位": "units", "材料": "materials", "问题": "supervision",
                "通知": "supervision", "结果": "scoring"}
# An attachment opens its owner's record.
KIND_OF_OWNER = {"materials": "材料", "findings": "问题", "letter_status": "责任书"}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    detail: str = ""
    owner_kind: str = ""  # for 附件: the kind of record it belongs to (材料, 问题, 责任书)
    owner_id: int | None = None  # that record's id; for 责任书 the unit's id
    owner_year: int | None = None  # for 责任书: the letter's year


# Per kind: the index kind, and the query shaping a hit (id, title, detail, owner…). The sub-query
# `h` reads the index rows `s` that match ({with_}, {source} and {where}: one stage of the index,
# SearchIndex.stages), joins their records only where a hit must be of this edition or not merged,
# orders them and keeps `limit`; only the kept hits are then joined to what they show (on the
# server a common phrase's 11,000 notices were joined to their units before the cut: 15 ms, 4 ms
# without). Every kind lists in a fixed record order so that both engines keep the same hits when
# the limit cuts the list.
QUERIES = {
    "标准": ("standards", """
        SELECT n.id, n.code, n.title, n.level, n.points, n.methods
          FROM ({with_}SELECT {id} AS id FROM {source} {join} framework_nodes n ON n.id = {id}
                 WHERE {where} AND n.edition_id = :edition AND n.retired = 0
                 ORDER BY {id} LIMIT :limit) h
          JOIN framework_nodes n ON n.id = h.id
         ORDER BY h.id"""),
    "单位": ("units", """
        SELECT u.id, u.name, u.kind, u.short_name, u.retired, h.detail AS other_names
          FROM ({with_}SELECT {id} AS id, s.detail FROM {source} {join} units u ON u.id = {id}
                 WHERE {where} AND u.merged_into IS NULL
                 ORDER BY {id} LIMIT :limit) h
          JOIN units u ON u.id = h.id
         ORDER BY h.id"""),
    "材料": ("materials", """
        SELECT m.id, m.title, m.status, n.code, un.name AS unit_name
          FROM ({with_}SELECT {id} AS id FROM {source} {join} materials m ON m.id = {id}
                 WHERE {where} AND m.edition_id = :edition AND m.removed = 0
                 ORDER BY {id} LIMIT :limit) h
          JOIN materials m ON m.id = h.id
          JOIN framework_nodes n ON n.id = m.node_id
          LEFT JOIN units un ON un.id = m.unit_id
         ORDER BY h.id"""),
    "附件": ("attachments", """
        SELECT a.id, a.original_name, a.caption, a.owner_table, a.owner_id,
               ls.unit_id AS letter_unit_id, ls.year AS letter_year, lu.name AS letter_unit
          FROM ({with_}SELECT {id} AS id FROM {source}
                 WHERE {where}
                 ORDER BY {id} LIMIT :limit) h
          JOIN attachments a ON a.id = h.id
          LEFT JOIN letter_status ls ON a.owner_table = 'letter_status' AND ls.id = a.owner_id
          LEFT JOIN units lu ON lu.id = ls.unit_id
         ORDER BY h.id"""),
    "问题": ("findings", """
        SELECT f.id, f.description, f.status, f.found_on, st.name AS site, un.name AS unit_name
          FROM ({with_}SELECT {id} AS id FROM {source}
                 WHERE {where}
                 ORDER BY {id} DESC LIMIT :limit) h
          JOIN findings f ON f.id = h.id
          JOIN sites st ON st.id = f.site_id
          JOIN units un ON un.id = f.unit_id
         ORDER BY h.id DESC"""),
    "通知": ("notices", """
        SELECT t.id, t.number, t.issued_on, t.voided, un.name AS unit_name
          FROM ({with_}SELECT {id} AS id FROM {source}
                 WHERE {where}
                 ORDER BY {id} DESC LIMIT :limit) h
          JOIN notices t ON t.id = h.id
          JOIN units un ON un.id = t.unit_id
         ORDER BY h.id DESC"""),
    "结果": ("results", """
        SELECT r.id, r.code, r.item, r.site, r.full_points - r.score AS loss, sr.name AS round_name
          FROM ({with_}SELECT {id} AS id FROM {source}
                 WHERE {where}
                 ORDER BY {id} LIMIT :limit) h
          JOIN score_results r ON r.id = h.id
          JOIN score_rounds sr ON sr.id = r.round_id
         ORDER BY h.id"""),
}


# Kinds listed newest first (their queries order by {id} DESC).
NEWEST_FIRST = {"问题", "通知"}


def _points(value) -> str:
    return f"{value:g}" if value is not None else ""


def _hit(kind: str, r: dict) -> Hit:
    if kind == "标准":
        title = f"{r['code']} {r['title']}".strip()
        detail = framework.LEVEL_NAMES[r["level"]]
        if r["points"] is not None:
            detail += f" · {_points(r['points'])} 分"
        return Hit(kind, r["id"], title, detail)
    if kind == "单位":
        detail = r["kind"] + (" · 已停用" if r["retired"] else "")
        other = r["other_names"].strip()
        if other:
            detail += f" · 简称/曾用名：{other}"
        return Hit(kind, r["id"], r["name"], detail)
    if kind == "材料":
        detail = f"{r['code']} · {r['status']}" + (f" · {r['unit_name']}" if r["unit_name"] else "")
        return Hit(kind, r["id"], r["title"], detail)
    if kind == "附件":
        owner_kind = KIND_OF_OWNER.get(r["owner_table"], "")
        if r["letter_unit_id"] is not None:
            detail = f"{r['letter_year']}年度{r['letter_unit']}责任书扫描件"
            return Hit(kind, r["id"], r["original_name"], detail, owner_kind, r["letter_unit_id"], r["letter_year"])
        detail = f"{owner_kind}的附件" + (f" · {r['caption']}" if r["caption"] else "")
        return Hit(kind, r["id"], r["original_name"], detail, owner_kind, r["owner_id"])
    if kind == "问题":
        return Hit(kind, r["id"], r["description"],
                   f"{r['found_on']} · {r['site']} · {r['unit_name']} · {r['status']}")
    if kind == "通知":
        detail = f"{r['unit_name']} · {r['issued_on']}" + (" · 已作废" if r["voided"] else "")
        return Hit(kind, r["id"], r["number"], detail)
    title = " ".join(p for p in (r["code"], r["item"], r["site"]) if p)
    return Hit(kind, r["id"], title, f"{r['round_name']} · 失分 {_points(r['loss'])}")


def _closeness(hit: Hit, text: str) -> int:
    title = hit.title.lower()
    if title == text:
        return 0
    if title.startswith(text) or text in title.split():
        return 1
    return 2 if text in title else 3


def kind_queries(db, kind: str, text: str, limit: int = 20,
                 edition_id: int | None = None) -> list[tuple[str, dict]] | None:
    """The SQL that finds `kind` records for the (normalised) text, one query per stage of the
    index (each next one runs only while fewer than `limit` were found, its :limit then being the
    hits still wanted), and their parameters; None when a word occurs nowhere in that kind."""
    index_kind, sql = QUERIES[kind]
    index = db.search
    words = text.split()
    found = index.condition(index_kind, words, "s")
    if found is None:
        return None
    where, params = found
    params.update(limit=limit, edition=edition_id if edition_id is not None else framework.current_edition_id(db))
    return [(sql.format(with_=prefix, source=source, join=index.join, id=index.id("s"), where=condition),
             {**params, **stage_params})
            for prefix, source, condition, stage_params in index.stages(index_kind, where, words, kind in NEWEST_FIRST)]


def search_kind(db, kind: str, text: str, limit: int = 20, edition_id: int | None = None) -> list[Hit]:
    text = " ".join(text.split()).lower()
    queries = kind_queries(db, kind, text, limit, edition_id) if text else None
    rows = []
    for sql, params in queries or []:
        rows += db.rows(sql, dict(params, limit=limit - len(rows)))
        if len(rows) >= limit:
            break
    hits = [_hit(kind, r) for r in rows]
    return sorted(hits, key=lambda h: _closeness(h, text))  # stable: record order within each closeness


def search(db, text: str, limit: int = 50) -> list[Hit]:
    """At most `limit` hits, grouped by kind in KINDS order; when there are more, each kind keeps a
    fair share so that a common word does not push the rarer kinds out."""
    edition_id = framework.current_edition_id(db)
    by_kind = {kind: search_kind(db, kind, text, limit, edition_id) for kind in KINDS}
    share = {kind: 0 for kind in KINDS}
    left = limit
    while left > 0:
        grew = False
        for kind in KINDS:
            if left > 0 and share[kind] < len(by_kind[kind]):
                share[kind] += 1
                left -= 1
                grew = True
        if not grew:
            break
    return [hit for kind in KINDS for hit in by_kind[kind][:share[kind]]]


def rebuild(db) -> None:
    """Fill every search table again from its records (after a repair; the triggers keep it otherwise)."""
    with db.write():
        db.search.rebuild()
