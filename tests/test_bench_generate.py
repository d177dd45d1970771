"""The benchmark dataset (bench/generate.py) has DESIGN.md's 1x counts and the program's invariants,
`python -m bench` prints its figures as JSON lines with the required keys, on a data folder's
ledger or on a shared ledger (--server), and bench.server_bench moves the dataset onto a server
and soaks it with several clients without an error or a number taken twice.

Generating 1x takes about 5 s here (10 s on a busy machine), once for the module; the run of the
whole command on its own generated data and the server bench (about a minute) are `slow`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_KEYS = {"figure", "median_ms", "p95_ms", "budget_ms", "scale"}
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from bench.generate import generate

    return generate(tmp_path_factory.mktemp("bench") / "data", "1x", seed=1, today=TODAY)


@pytest.fixture
def bench_db(dataset):
    from bench.generate import OPERATOR
    from core.store import open_store

    db = open_store(dataset.data, OPERATOR)
    yield db
    db.conn.close()


def test_1x_has_the_design_counts(dataset):
    counts = dataset.counts
    assert counts["units"] == 100
    assert counts["standards"] == 600
    assert counts["materials"] == 4_000
    assert counts["findings"] == 5_000
    assert counts["score_rounds"] == 5
    assert counts["score_results"] == 5 * 3_000
    assert counts["sites"] > 0 and counts["finding_events"] > counts["findings"]
    assert 0 < counts["notices_voided"] < counts["notices"]
    assert counts["letter_status"] > 0 and counts["audit_log"] > counts["findings"]
    assert 100 <= counts["stored_files"] <= 1_000 < counts["attachments"]  # a few hundred files, many rows


def test_existing_reads_the_same_counts(dataset):
    from bench.generate import existing

    again = existing(dataset.data)
    assert (again.units, again.standards, again.edition_id) == (dataset.units, dataset.standards, dataset.edition_id)
    assert again.counts == dataset.counts


def test_the_data_keeps_the_programs_invariants(bench_db, dataset):
    from core import attachments, settings, supervision

    db = bench_db
    assert settings.get(db, "current_year") == TODAY.year
    assert settings.get(db, "next_assessment_date") > TODAY.isoformat()
    # every finding stands where its last dated step left it, never before it was found
    assert db.value("SELECT count(*) FROM findings f WHERE f.status <> (SELECT to_status FROM finding_events e"
                      " WHERE e.finding_id = f.id ORDER BY e.id DESC LIMIT 1)") == 0
    assert db.value("SELECT count(*) FROM finding_events e JOIN findings f ON f.id = e.finding_id"
                      " WHERE e.on_date < f.found_on") == 0
    assert set(r["status"] for r in db.rows("SELECT DISTINCT status FROM findings")) <= set(supervision.STATUSES)
    # prev_at_site as core computes it
    assert db.value("SELECT count(*) FROM findings f WHERE f.prev_at_site IS NOT (SELECT max(g.found_on)"
                      " FROM findings g WHERE g.site_id = f.site_id AND g.found_on < f.found_on AND (f.node_id IS NULL"
                      " OR g.node_id IS NULL OR g.node_id = f.node_id))") == 0
    # notice numbers gap-free per year, voided ones keeping theirs
    for r in db.rows("SELECT year, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM notices GROUP BY year"):
        assert (r["lo"], r["hi"]) == (1, r["n"])
    counts = supervision.counts(db, TODAY)
    assert counts["open"] and counts["overdue"] and counts["flagged"] and counts["waiting"]
    # no material past 待提交 without a file; archived ones in a free box and item
    assert db.value("SELECT count(*) FROM materials m WHERE m.status <> '待提交' AND NOT EXISTS (SELECT 1"
                      " FROM attachments a WHERE a.owner_table = 'materials' AND a.owner_id = m.id)") == 0
    assert db.value("SELECT count(*) FROM (SELECT box, item FROM materials WHERE status = '已归档'"
                      " GROUP BY box, item HAVING count(*) > 1)") == 0
    # attachments content-addressed in the store
    for r in db.rows("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256 LIMIT 20"):
        assert attachments.file_sha256(attachments.stored_path(db, r["sha256"])) == r["sha256"]
    # the search tables filled by the triggers
    for table, source in (("fts_findings", "findings"), ("fts_materials", "materials"),
                          ("fts_attachments", "attachments"), ("fts_results", "score_results")):
        assert db.value(f"SELECT count(*) FROM {table}") == db.value(f"SELECT count(*) FROM {source}")
    states = {r["state"] for r in db.rows("SELECT DISTINCT state FROM letter_status")}
    assert {"已印发", "已签订"} <= states


def _run_bench(args: list[str], timeout: int, module: str = "bench", with_stderr: bool = False):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert REQUIRED_KEYS <= line.keys(), line
    return (lines, done.stderr) if with_stderr else lines


def test_bench_search_prints_json_lines(dataset):
    lines = _run_bench(["--scale", "1x", "--only", "search,home", "--repeat", "2", "--data", str(dataset.data.root)],
                       timeout=300)
    search = [line for line in lines if line["figure"] == "search"]
    assert sorted(line["query_chars"] for line in search) == [1, 2, 3, 5]
    assert {line["budget_ms"] for line in search} == {50, 100}
    assert all(line["scale"] == "1x" and line["median_ms"] is not None for line in search)
    assert [line["figure"] for line in lines if line["figure"] == "home"] == ["home"]


def test_bench_measures_either_engine_with_the_same_figures(demo_db, data_dir, engine):
    """On a shared ledger (--server) the figures that only read run and say which engine they
    measured; a figure that writes is left out with a note, not run against the office's ledger."""
    from conftest import ledger_args

    lines, stderr = _run_bench(["--scale", "1x", "--only", "home,tree_filter,import_units_xlsx", "--repeat", "1",
                                *ledger_args(demo_db, data_dir)], timeout=300, with_stderr=True)
    assert {line["engine"] for line in lines} == {engine}
    figures = {line["figure"] for line in lines}
    assert {"home", "tree_filter"} <= figures
    if engine == "postgresql":
        assert "import_units_xlsx" not in figures
        assert "import_units_xlsx: skipped on a shared ledger" in stderr
    else:
        assert "import_units_xlsx" in figures


def test_a_server_statement_past_the_query_limit_is_cancelled(demo_db, data_dir, monkeypatch):
    """Every store the bench opens on a server cancels a statement that runs past QUERY_LIMIT_S:
    a plan gone wrong fails its figure group instead of stalling the run for minutes."""
    import psycopg

    import bench.figures as figures
    from bench.generate import existing

    if demo_db.engine != "postgresql":
        pytest.skip("the server's statement_timeout; SQLite's figures arm QueryLimit themselves")
    monkeypatch.setattr(figures, "QUERY_LIMIT_S", 0.3)
    ctx = figures.Context(existing(data_dir, server=demo_db.url), "1x", 1, data_dir.root, server=demo_db.url)
    store = ctx.open_store()
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            store.value("SELECT count(*) FROM pg_sleep(3)")
    finally:
        store.close()


def _needs_postgresql():
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_cluster import find_program

    if not find_program("initdb") or not find_program("pg_ctl"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL 服务器程序（initdb、pg_ctl）未安装")
        pytest.skip("PostgreSQL 服务器程序（initdb、pg_ctl）未安装")


@pytest.mark.slow
def test_server_bench_moves_the_data_in_and_soaks_it_without_errors(dataset):
    _needs_postgresql()
    lines = _run_bench(["--scale", "1x", "--data", str(dataset.data.root), "--clients", "2", "--seconds", "5",
                        "--only", "home", "--repeat", "1"], timeout=900, module="bench.server_bench")
    by_figure = {line["figure"]: line for line in lines}
    assert list(by_figure) == ["server_import", "home", "server_soak"]
    assert all(line["engine"] == "postgresql" for line in lines)
    moved = by_figure["server_import"]
    assert moved["seconds"] > 0 and moved["rows_per_s"] > 0
    assert (moved["attachments"], moved["stored_files"]) == (dataset.counts["attachments"],
                                                             dataset.counts["stored_files"])
    soak = by_figure["server_soak"]
    assert soak["clients"] == 2 and soak["loops"] > 0 and soak["writes"] > 0
    assert soak["median_ms"] is not None and soak["p95_ms"] is not None and soak["budget_ms"] == 100
    assert (soak["errors"], soak["duplicate_numbers"], soak["number_gaps"]) == (0, 0, 0)
    assert {"findings", "materials", "audit", "search"} <= soak["kinds"].keys()


@pytest.mark.slow
def test_bench_generates_its_own_data():
    lines = _run_bench(["--scale", "1x", "--only", "search", "--repeat", "2"], timeout=600)
    assert {line["figure"] for line in lines} == {"search"}
    assert len(lines) == 4


def test_every_list_filter_names_a_widget_the_page_has(qtbot, demo_db, data_dir):
    """A filter whose widget was renamed would be skipped and its figure silently lost."""
    from bench.figures.list_filter import LIST_VIEWS, _part, filters
    from gui.main_window import MainWindow

    window = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(window)
    missing = []
    for f in filters(demo_db):
        page = window.show_page(f.page)
        if _part(page, f.widget) is None:
            missing.append(f"{f.page}.{f.widget}")
        if f.page in LIST_VIEWS and _part(page, LIST_VIEWS[f.page]) is None:
            missing.append(f"{f.page}.{LIST_VIEWS[f.page]}")
    assert sorted(set(missing)) == []
