"""The shared ledger on a PostgreSQL server, at scale: moving a desk's ledger in, reading it, and an
office of several people working on it at once.

    python -m bench.server_bench --scale 10x [--data DIR] [--clients 5] [--seconds 60]
                                 [--only NAME[,NAME…]] [--repeat N] [--seed S]

A throwaway cluster (tests/pg_cluster.py: initdb in a temporary folder, 127.0.0.1 on a free port)
holds one database prepared by server-init (core.store.server_admin.initialize), with a 管理员
login for the move and one 经办人 login per client. Then, each printing JSON lines as `python -m
bench` does (figure, median_ms, p95_ms, budget_ms, scale, n, load, engine):

- `server_import`: the `server-import` command moving the SQLite dataset (generated, or --data)
  with its files into the empty server ledger, timed from start to exit (`seconds`, `rows_per_s`
  over every ledger row moved, `attachments` rows and `stored_files`).
- the read figures of `python -m bench --server` (list_filter, search, gui_search, tree_filter,
  gui_tree_filter, home, export_framework_xlsx; --only chooses), run on the imported ledger over
  loopback in a child process as the first client's login.
- `server_soak`: --clients processes, each its own connection as its own login, for --seconds:
  every loop one list filter or search read in core (the findings list with a random filter, a
  unit's 档案材料, the 操作日志 with a filter, global search), timed; every
  WRITE_EVERY loops a write: a 督办通知单 for the pending findings of one of the client's units
  (a finding is recorded first when none of its units has one left), or a correction of a finding
  that every client edits (the version its form read: a colleague's save in between is refused
  with EditConflict, counted as `conflicts`, not as an error). The line gives the list filters'
  p50/p95 across all clients (budget 100 ms on p95), loops, writes, errors (any other exception;
  the first few are printed on stderr), and afterwards the notice numbers taken twice
  (`duplicate_numbers`, must be 0) and missing from a year's run (`number_gaps`).

The cluster runs with fsync off (it is the tests' throwaway server): writes and the import are
faster than on an office server that keeps its data safe. It is stopped at the end, always. The
--data folder is only read: server-import stages a copy of its database in this run's own folder
(and refuses a folder a program window has open).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE = "chuangcheng_bench"
ADMIN_LOGIN, CLERK_PREFIX = "bench_admin", "clerk"
LOGIN_PASSWORD = "bench-throwaway-password"
READ_FIGURES = ["list_filter", "search", "gui_search", "tree_filter", "gui_tree_filter", "home", "export_framework_xlsx"]
WRITE_EVERY = 4  # loops between two writes of a client: an office reads far more than it writes
LIST_LIMIT = 500  # the findings list shows the newest 500 (gui/views/supervision/findings_tab.py)
AUDIT_SHOWN = 1000  # the 操作日志 page lists the newest 1000 (gui/views/audit/page.py SHOWN)
SOAK_BUDGET_MS = 100  # list-filter p95 with five people working at once (issue 15)
ERRORS_SHOWN = 5
CONFLICT_POOL = 3  # findings every client corrects, so that two saves meet now and then
FORM_OPEN_S = 0.05  # between reading a finding into the form and saving it


def _parse(argv):
    from bench.generate import SCALES

    parser = argparse.ArgumentParser(prog="python -m bench.server_bench",
                                     description="创城工作台 on a PostgreSQL server: import, reads and an office soak")
    parser.add_argument("--scale", choices=sorted(SCALES), default="1x",
                        help="dataset size (with --data: only the label printed with each figure)")
    parser.add_argument("--data", metavar="DIR", help="move this data folder's ledger in instead of a generated one")
    parser.add_argument("--clients", type=int, default=5, metavar="N", help="client processes of the soak")
    parser.add_argument("--seconds", type=float, default=60, metavar="S", help="length of the soak")
    parser.add_argument("--only", metavar="NAME[,NAME…]", default=",".join(READ_FIGURES),
                        help="read figures to measure: " + ", ".join(READ_FIGURES) + " (none: --only '')")
    parser.add_argument("--repeat", type=int, metavar="N", help="samples per read figure (per value for the filters)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated dataset and of the soak")
    args = parser.parse_args(argv)
    args.only = [name for name in args.only.split(",") if name]
    unknown = set(args.only) - set(READ_FIGURES)
    if unknown:
        parser.error(f"unknown read figure {', '.join(sorted(unknown))}; known: {', '.join(READ_FIGURES)}")
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    return args


def _cluster():
    """The tests' throwaway cluster (tests/pg_cluster.py)."""
    tests = str(PROJECT_ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from pg_cluster import Cluster

    return Cluster()


def _prepare(cluster, clients: int) -> dict[str, str]:
    """An empty database made a shared ledger by server-init, and its logins: {login: address}."""
    from core.store import postgres, server_admin

    superuser = postgres.connect(cluster.url())
    try:
        superuser.run_script(f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' TEMPLATE template0")
    finally:
        superuser.close()
    owner = postgres.connect(cluster.url(DATABASE))
    try:
        report = server_admin.initialize(owner)
        for note in report.notes:
            print(f"server-init: {note}", file=sys.stderr)
        server_admin.add_user(owner, ADMIN_LOGIN, "管理员", LOGIN_PASSWORD)
        for i in range(clients):
            server_admin.add_user(owner, f"{CLERK_PREFIX}{i + 1}", "经办人", LOGIN_PASSWORD)
    finally:
        owner.close()
    logins = [ADMIN_LOGIN] + [f"{CLERK_PREFIX}{i + 1}" for i in range(clients)]
    return {login: cluster.url(DATABASE, user=login, password=LOGIN_PASSWORD) for login in logins}


def _run_command(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "main.py"), *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def _import(url: str, source: Path, local: Path) -> dict:
    """server-import as the 管理员 runs it, timed from start to exit: what the server_import line says."""
    from core.paths import DB_NAME
    from core.store import postgres

    started = time.perf_counter()
    done = _run_command(["--data", str(local), "--server", url, "server-import", str(source)], timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"server-import failed ({done.returncode}):\n{done.stderr}\n{done.stdout}")
    print(done.stdout.strip(), file=sys.stderr)
    server = postgres.connect(url)
    try:
        rows = sum(server.table_counts().values())
        attachments = server.value("SELECT count(*) FROM attachments")
        files = server.value("SELECT count(*) FROM attachment_files")
        stored_mb = server.value("SELECT COALESCE(sum(octet_length(content)), 0) FROM attachment_files") / 2 ** 20
        database_mb = server.value("SELECT pg_database_size(current_database())") / 2 ** 20
    finally:
        server.close()
    return {"seconds": seconds, "rows": rows, "rows_per_s": round(rows / seconds),
            "attachments": attachments, "stored_files": files, "stored_mb": round(stored_mb, 1),
            "database_mb": round(database_mb), "source_mb": round((source / DB_NAME if source.is_dir() else source).stat().st_size / 2 ** 20)}


def _read_figures(args, url: str, local: Path) -> None:
    """python -m bench --server on the imported ledger; its JSON lines go straight to stdout."""
    command = [sys.executable, "-m", "bench", "--scale", args.scale, "--server", url, "--data", str(local),
               "--only", ",".join(args.only)]
    if args.repeat:
        command += ["--repeat", str(args.repeat)]
    sys.stdout.flush()
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"python -m bench --server failed ({done.returncode})")


# --- the office soak --------------------------------------------------------------------------------

def _choices(db) -> dict:
    """What the clients pick their filters from (read once, before the soak)."""
    from core import framework, supervision

    edition_id = framework.current_edition_id(db)
    units = db.column("SELECT DISTINCT unit_id FROM findings ORDER BY unit_id")
    return {
        "edition_id": edition_id,
        "units": units,
        "localities": db.column("SELECT DISTINCT locality_unit_id FROM sites WHERE locality_unit_id IS NOT NULL"
                                " ORDER BY locality_unit_id"),
        "site_types": db.column("SELECT DISTINCT site_type FROM sites ORDER BY site_type"),
        "material_units": db.column("SELECT DISTINCT unit_id FROM materials WHERE unit_id IS NOT NULL"
                                    " AND edition_id = :e ORDER BY unit_id", {"e": edition_id}),
        "operators": db.column("SELECT DISTINCT operator FROM audit_log ORDER BY operator"),
        "statuses": list(supervision.STATUSES),
        "sites": db.rows("SELECT id, locality_unit_id FROM sites WHERE retired = 0 ORDER BY id LIMIT 200"),
        # open findings every client corrects now and then (never issued by the soak: not 待交办)
        "shared_findings": db.column("SELECT id FROM findings WHERE status = :s ORDER BY id LIMIT :n",
                                     {"s": supervision.FIXING, "n": CONFLICT_POOL}),
    }


WORDS = ["占道经营", "公益广告", "垃圾", "整改", "街", "破损", "小区", "绿化带", "乱停", "台账"]


def _list_filters(db, rng: random.Random, c: dict):
    """(kind, callable) of one read a colleague makes: the lists' filters as core runs them."""
    from core import audit, materials, search, supervision

    def findings():
        flt = supervision.FindingFilter(
            status=rng.choice(["", "", *c["statuses"]]), open_only=rng.random() < 0.2,
            unit_id=rng.choice([None, None, *c["units"][:50]]) if c["units"] else None,
            locality_id=rng.choice([None, None, None, *c["localities"]]) if c["localities"] else None,
            site_type=rng.choice(["", "", "", *c["site_types"]]),
            overdue=rng.random() < 0.15, flagged=rng.random() < 0.1,
            text=rng.choice(["", "", "", *WORDS]))
        return supervision.list_findings(db, flt, limit=LIST_LIMIT)

    def materials_list():
        # one unit's materials: what the store narrows (the page filters the loaded checklist in memory)
        return materials.checklist(db, c["edition_id"], unit_id=rng.choice(c["material_units"]))

    def audit_list():
        week_ago = time.strftime("%Y-%m-%d", time.localtime(time.time() - 7 * 86400))
        return audit.search(db, text=rng.choice(["", "", *WORDS]), operator=rng.choice(["", "", *c["operators"]]),
                            table=rng.choice(["", "findings", "materials", "notices"]),
                            date_from=rng.choice(["", week_ago]), limit=AUDIT_SHOWN)

    def global_search():
        return search.search(db, rng.choice(WORDS))

    return rng.choice([("findings", findings), ("findings", findings), ("materials", materials_list),
                       ("audit", audit_list), ("search", global_search)])


def _issue_notice(db, rng: random.Random, c: dict, client: int, clients: int) -> str:
    """A 督办通知单 for the pending findings of one of this client's units (units are shared out
    among the clients, as an office shares out its streets); a finding is recorded first when
    none of them has one pending. Returns what was done."""
    from core import supervision

    from core import clock

    # pending findings whose own requested deadline has not passed (those would be refused: 期限早于交办日期)
    pending = db.rows("SELECT unit_id, id FROM findings WHERE status = :s AND unit_id % :n = :i"
                      " AND (requested_due IS NULL OR requested_due > :today) ORDER BY id LIMIT 20",
                      {"s": supervision.PENDING, "n": clients, "i": client, "today": clock.today().isoformat()})
    recorded = ""
    if not pending:
        site = rng.choice(c["sites"])
        unit_id = rng.choice([u for u in c["units"] if u % clients == client] or c["units"])
        finding_id = supervision.create_finding(db, {
            "source": rng.choice(supervision.SOURCES), "site_id": site["id"], "unit_id": unit_id,
            "description": f"压力测试：{rng.choice(WORDS)}（客户端 {client + 1}）", "limit_days": 5})
        pending = [{"unit_id": unit_id, "id": finding_id}]
        recorded = "recorded+"
    unit_id = pending[0]["unit_id"]
    ids = [p["id"] for p in pending if p["unit_id"] == unit_id]
    supervision.issue_notice(db, unit_id, ids)
    return recorded + "notice"


def _correct_finding(db, rng: random.Random, c: dict, client: int) -> str:
    """A correction of a finding others correct too, saved with the version the form read."""
    from core import supervision

    finding_id = rng.choice(c["shared_findings"])
    form = supervision.get_finding(db, finding_id)
    time.sleep(FORM_OPEN_S)
    supervision.update_finding(db, finding_id, {"description": f"{form['description'].split('（')[0]}"
                                                               f"（客户端 {client + 1} 第 {rng.randrange(10 ** 6)} 次核对）"},
                               expected_version=form["version"])
    return "edit"


def soak_client(spec: dict, ready, results) -> None:
    """One colleague's process: its own connection as its own login, looping until the time is up."""
    from core.errors import EditConflict
    from core.paths import DataDir
    from core.store import open_store

    out = {"client": spec["client"], "samples": {}, "loops": 0, "writes": {}, "errors": 0, "error_samples": [],
           "conflicts": 0}
    try:
        rng = random.Random(spec["seed"])
        db = open_store(DataDir(Path(spec["local"])), None, server=spec["url"])
        choices = _choices(db)
        ready.wait(timeout=300)
        end = time.perf_counter() + spec["seconds"]
        while time.perf_counter() < end:
            out["loops"] += 1
            try:
                kind, run = _list_filters(db, rng, choices)
                started = time.perf_counter()
                run()
                out["samples"].setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                if out["loops"] % WRITE_EVERY == 0:
                    if choices["shared_findings"] and rng.random() < 0.3:
                        done = _correct_finding(db, rng, choices, spec["client"])
                    else:
                        done = _issue_notice(db, rng, choices, spec["client"], spec["clients"])
                    out["writes"][done] = out["writes"].get(done, 0) + 1
            except EditConflict:
                out["conflicts"] += 1  # a clean refusal: the colleague's save came first
            except Exception:  # noqa: BLE001 - every failure is counted and the first few shown
                out["errors"] += 1
                if len(out["error_samples"]) < ERRORS_SHOWN:
                    out["error_samples"].append(traceback.format_exc(limit=4))
        db.close()
    except Exception:  # noqa: BLE001 - a client that cannot even start is an error too
        out["errors"] += 1
        out["error_samples"].append(traceback.format_exc(limit=6))
        ready.abort()
    results.put(out)


def _soak(ctx, urls: list[str], local: Path, seconds: float, seed: int) -> dict:
    from bench.figures import median, p95, result
    from core.store import postgres

    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter per client, like a PC each
    ready, results = spawn.Barrier(len(urls)), spawn.Queue()
    workers = []
    for i, url in enumerate(urls):
        folder = local / f"client{i + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"client": i, "clients": len(urls), "url": url, "local": str(folder), "seconds": seconds,
                "seed": seed * 1000 + i}
        worker = spawn.Process(target=soak_client, args=(spec, ready, results), name=f"soak-client-{i + 1}")
        worker.start()
        workers.append(worker)
    outs = [results.get(timeout=seconds + 600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    samples: dict[str, list[float]] = {}
    writes: dict[str, int] = {}
    for out in outs:
        for kind, values in out["samples"].items():
            samples.setdefault(kind, []).extend(values)
        for kind, n in out["writes"].items():
            writes[kind] = writes.get(kind, 0) + n
        for text in out["error_samples"][:ERRORS_SHOWN]:
            print(f"server_soak: client {out['client'] + 1}:\n{text}", file=sys.stderr)
    lists = [v for kind, values in samples.items() if kind != "search" for v in values]
    server = postgres.connect(urls[0])
    try:
        duplicates = server.rows("SELECT number, count(*) AS n FROM notices GROUP BY number HAVING count(*) > 1")
        gaps = sum(r["hi"] - r["lo"] + 1 - r["n"] for r in server.rows(
            "SELECT year, min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM notices GROUP BY year"))
    finally:
        server.close()
    return result("server_soak", lists, SOAK_BUDGET_MS, ctx, clients=len(urls), seconds=seconds,
                  loops=sum(o["loops"] for o in outs), writes=sum(writes.values()), writes_by_kind=writes,
                  errors=sum(o["errors"] for o in outs), conflicts=sum(o["conflicts"] for o in outs),
                  duplicate_numbers=len(duplicates), number_gaps=gaps,
                  kinds={kind: {"n": len(v), "median_ms": median(v), "p95_ms": p95(v)} for kind, v in samples.items()})


def main(argv=None) -> int:
    args = _parse(argv)
    from bench.figures import Context, result
    from bench.generate import existing, generate
    from core.paths import DataDir

    with tempfile.TemporaryDirectory(prefix="chuangcheng-server-bench-") as tmp:
        tmp = Path(tmp)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # no saved connection or window state of the user's
        if args.data:
            source = Path(args.data)  # only read: server-import stages a copy of its database
        else:
            started = time.perf_counter()
            source = generate(tmp / "data", args.scale, args.seed).data.root
            print(f"dataset in {source} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        cluster = _cluster()
        try:
            cluster.start()
            urls = _prepare(cluster, args.clients)
            clerks = [url for login, url in urls.items() if login != ADMIN_LOGIN]
            moved = _import(urls[ADMIN_LOGIN], source, tmp / "admin")
            dataset = existing(DataDir(tmp / "reader"), server=clerks[0])
            ctx = Context(dataset, args.scale, args.repeat, tmp, server=clerks[0])
            seconds = moved.pop("seconds")
            line = result("server_import", [seconds * 1000], None, ctx, seconds=round(seconds, 1), **moved)
            print(json.dumps(line, ensure_ascii=False), flush=True)
            if args.only:
                _read_figures(args, clerks[0], tmp / "reader")
            line = _soak(ctx, clerks, tmp / "clients", args.seconds, args.seed)
            print(json.dumps(line, ensure_ascii=False), flush=True)
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
