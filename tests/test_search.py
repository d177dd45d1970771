"""Global search in core: the index follows every change, short Chinese queries work, the command
line prints tab-separated hits, every kind starts from the search index. Written against the store
for both engines (the query-plan test is SQLite's); the window's part is test_search_gui.py."""

from __future__ import annotations

import pytest

from core import search, settings, units


def test_each_kind_is_found_by_a_word_of_its_title(demo_db):
    db = demo_db
    standard = db.one("SELECT id, title FROM framework_nodes WHERE level = 3 AND edition_id = :edition"
                      " ORDER BY id LIMIT 1", {"edition": settings.get(db, "current_edition_id")})
    unit = db.one("SELECT id, name FROM units WHERE retired = 0 ORDER BY id LIMIT 1")
    material = db.one("SELECT id, title FROM materials WHERE removed = 0 ORDER BY id LIMIT 1")
    attachment = db.one("SELECT id, original_name FROM attachments ORDER BY id LIMIT 1")
    finding = db.one("SELECT id, description FROM findings ORDER BY id LIMIT 1")
    notice = db.one("SELECT id, number FROM notices ORDER BY id LIMIT 1")
    result = db.one("SELECT id, item FROM score_results WHERE item <> '' ORDER BY id LIMIT 1")
    for kind, record_id, text in [("标准", standard["id"], standard["title"]), ("单位", unit["id"], unit["name"]),
                                  ("材料", material["id"], material["title"]),
                                  ("附件", attachment["id"], attachment["original_name"]),
                                  ("问题", finding["id"], finding["description"]),
                                  ("通知", notice["id"], notice["number"]), ("结果", result["id"], result["item"])]:
        hits = search.search_kind(db, kind, text, limit=500)
        assert record_id in {h.id for h in hits}, (kind, text)
        assert all(h.kind == kind for h in hits)


def test_one_and_two_character_queries_and_several_words(demo_db):
    db = demo_db
    two = search.search(db, "市场", limit=200)
    direct = db.value("SELECT count(*) FROM units WHERE (name LIKE :word OR short_name LIKE :word)"
                      " AND merged_into IS NULL", {"word": "%市场%"})
    assert sum(1 for h in two if h.kind == "单位") == direct >= 1
    one = search.search_kind(db, "问题", "污", limit=500)
    assert {h.id for h in one} == set(db.column(
        "SELECT f.id FROM findings f JOIN sites s ON s.id = f.site_id"
        " WHERE f.description LIKE :word OR s.name LIKE :word", {"word": "%污%"}))
    both = search.search_kind(db, "标准", "农贸市场 占道", limit=50)
    assert both and all("农贸市场" in h.title and "占道" in h.title for h in both)


def test_query_text_cannot_break_the_query(demo_db):
    for text in ['"', "100%", "a_b", "'; DROP TABLE units; --", "NEAR(", "*", "标准 OR", "\\"]:
        search.search(demo_db, text)  # no exception
    assert demo_db.value("SELECT count(*) FROM units") > 0
    assert search.search(demo_db, "   ") == []


def test_latin_letters_ignore_case_and_wildcards_are_taken_literally(demo_db):
    """On the server a word without case is compared as it is and one with Latin letters ignores
    their case (as SQLite's index does): both find the same records."""
    db = demo_db
    first, second = db.column("SELECT id FROM units WHERE retired = 0 AND merged_into IS NULL ORDER BY id LIMIT 2")
    units.rename_unit(db, first, "区WiFi覆盖办")
    units.rename_unit(db, second, "区达标率100%_中心")
    for text in ["wifi", "WIFI", "Fi", "wifi覆盖", "覆盖 WIFI"]:
        assert [h.id for h in search.search_kind(db, "单位", text, limit=50)] == [first], text
    for text in ["100%", "率100%_中", "%_"]:
        assert [h.id for h in search.search_kind(db, "单位", text, limit=50)] == [second], text
    for text in ["10_%", "率1%", "100%%"]:
        assert search.search_kind(db, "单位", text, limit=50) == [], text


def test_index_follows_changes(demo_db):
    db = demo_db
    unit = db.one("SELECT id, name FROM units WHERE retired = 0 ORDER BY id LIMIT 1")
    units.rename_unit(db, unit["id"], "区新组建测试中心")
    hits = search.search_kind(db, "单位", "新组建测试", limit=10)
    assert [h.id for h in hits] == [unit["id"]]
    former = search.search_kind(db, "单位", unit["name"], limit=50)
    assert unit["id"] in {h.id for h in former}  # found by its former name too
    assert "曾用名" in next(h for h in former if h.id == unit["id"]).detail
    with db.write():  # behind the program's back: the index's triggers still follow
        db.execute("UPDATE materials SET title = '独一无二的台账材料' WHERE id = (SELECT min(id) FROM materials)")
    assert len(search.search_kind(db, "材料", "独一无二", limit=10)) == 1
    with db.write():
        db.execute("DELETE FROM materials WHERE title = '独一无二的台账材料'"
                   " AND id NOT IN (SELECT owner_id FROM attachments WHERE owner_table = 'materials')")
    left = db.value("SELECT count(*) FROM materials WHERE title = '独一无二的台账材料'")
    assert len(search.search_kind(db, "材料", "独一无二", limit=10)) == left


def test_rebuild_matches_the_triggers(demo_db):
    index = demo_db.search

    def indexed(kind):
        return demo_db.rows(f"SELECT {index.id('s')} AS id, s.title, s.detail FROM {index.table(kind)} s ORDER BY 1")

    before = {kind: indexed(kind) for kind in ("units", "findings", "results")}
    search.rebuild(demo_db)
    assert {kind: indexed(kind) for kind in before} == before


def test_total_limit_keeps_every_kind(demo_db):
    hits = search.search(demo_db, "区", limit=7)
    assert len(hits) == 7
    assert len({h.kind for h in hits}) >= 3  # a fair share, not seven of the first kind


def test_a_record_added_between_the_two_stages_moves_no_hit(demo_db, monkeypatch):
    """The edge between the server's two stages is read once, before both: a colleague's new
    notice between the two statements neither repeats a hit nor loses one."""
    from core.store import search as index

    db = demo_db
    if db.engine != "postgresql":
        pytest.skip("SQLite reads its index in one stage")
    every = sorted((h.id for h in search.search_kind(db, "通知", "创城督", limit=1000)), reverse=True)
    assert len(every) > 3
    monkeypatch.setattr(index, "WINDOW", 1)  # the first stage holds the newest notice only
    read = db.rows

    def rows_then_a_new_notice(sql, params=None):
        found = read(sql, params)
        if not getattr(rows_then_a_new_notice, "done", False):
            rows_then_a_new_notice.done = True
            with db.write():
                db.execute("INSERT INTO search_notices (id, title, detail) VALUES (:id, '新通知  ', '  ')",
                           {"id": every[0] + 1000})
        return found

    monkeypatch.setattr(db, "rows", rows_then_a_new_notice)
    cut = search.search_kind(db, "通知", "创城督", limit=3)
    assert sorted((h.id for h in cut), reverse=True) == every[:3]


def test_a_cut_list_keeps_the_first_records_however_the_index_is_read(demo_db, monkeypatch):
    """The server reads a long word's matches in two stages (the first WINDOW index rows, then the
    matches beyond them off the trigram index): wherever that edge falls — on a match, just before
    or after one — a list cut at the limit holds the first records in record order (newest first
    for findings and notices), as on SQLite."""
    from core.store import search as index

    db = demo_db
    for text in ["整改到位", "农贸市场", "文明城市", "督办通知"]:
        for kind in search.KINDS:
            every = sorted(h.id for h in search.search_kind(db, kind, text, limit=100_000))
            newest_first = kind in search.NEWEST_FIRST
            if newest_first:
                every.reverse()
            table = db.search.table(search.QUERIES[kind][0])
            near_side = ">=" if newest_first else "<="
            edges = set()
            for record in every[:3] + every[len(every) // 2:len(every) // 2 + 1]:
                at = db.value(f"SELECT count(*) FROM {table} s WHERE {db.search.id('s')} {near_side} :id", {"id": record})
                edges |= {at - 1, at, at + 1}
            for window in sorted(edges - {0}):
                monkeypatch.setattr(index, "WINDOW", window)
                for limit in (1, 2, 3, 10):
                    cut = search.search_kind(db, kind, text, limit=limit)
                    assert sorted(h.id for h in cut) == sorted(every[:limit]), (text, kind, window, limit)


def test_cli_prints_kind_id_title(demo_db, data_dir, capsys):
    from main import main

    if demo_db.engine != "sqlite":
        pytest.skip("the command line's own data folder is SQLite's; the server is reached with --server")
    demo_db.close()
    assert main(["--data", str(data_dir.root), "search", "农贸市场", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert 1 <= len(lines) <= 5
    for line in lines:
        kind, record_id, title = line.split("\t")
        assert kind in search.KINDS and record_id.isdigit() and title
    assert main(["--data", str(data_dir.root), "search", " "]) == 2
    assert main(["--data", str(data_dir.root), "search", "x", "--limit", "0"]) == 2


@pytest.mark.parametrize("text", ["整改到位", "街", "市场"])
def test_every_kind_starts_from_the_search_index(demo_db, text):
    """The index answers first and each hit's record is fetched by its id; never a walk over the
    records running the match per row (4.5 s at 10x before CROSS JOIN). The kept hits (`h`, at
    most the limit) are read once more to join what they show."""
    if demo_db.engine != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; the server plans for itself")
    for kind in search.KINDS:
        queries = search.kind_queries(demo_db, kind, text, 50)
        if queries is None:
            continue
        assert len(queries) == 1  # the FTS5 index gives its matches in id order: one stage
        query = queries[0]
        plan = [r["detail"] for r in demo_db.rows("EXPLAIN QUERY PLAN " + query[0], query[1])]
        scans = [step for step in plan if "SCAN" in step]
        assert scans[0].startswith("SCAN s VIRTUAL TABLE"), (kind, plan)
        assert scans[1:] == ["SCAN h"], (kind, plan)
