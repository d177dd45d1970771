"""A child process for the crash tests: it writes in a loop and reports each committed change on
stdout, so the parent can kill it at any moment and check that every reported change survived."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import attachments, framework, safety, settings, supervision, units  # noqa: E402
from core.paths import DataDir  # noqa: E402
from core.store import open_store  # noqa: E402


def main():
    data = DataDir(sys.argv[1])
    mode = sys.argv[2]
    db = open_store(data, "崩溃测试")
    if mode == "write":
        start = int(sys.argv[3])
        edition = framework.current_edition_id(db)
        std = framework.standards(db, edition)[0]
        scratch = data.root / "scratch"
        scratch.mkdir(exist_ok=True)
        for i in range(start, start + 100000):
            unit_id = units.create_unit(db, {"name": f"崩溃测试单位{i}"})
            framework.update_node(db, std["id"], {"points": float(i % 7)})
            f = scratch / f"f{i}.txt"
            f.write_bytes(f"附件内容 {i}".encode() * 200)
            attachments.add_attachment(db, "units", unit_id, f)
            print(i, flush=True)
    elif mode == "backup":
        while True:
            print(safety.make_backup(data, db, sys.argv[3]), flush=True)
    elif mode == "restore":
        db.conn.close()
        print("start", flush=True)
        safety.restore_backup(data, sys.argv[3])
        print("done", flush=True)
    elif mode in DOCUMENTS:  # the same work as the commands letters, notices and package, again and again
        out = Path(sys.argv[3])
        out.parent.mkdir(parents=True, exist_ok=True)
        print("start", flush=True)
        while True:
            DOCUMENTS[mode](db, out)
            print("done", flush=True)


def _letters(db, out):
    from core import letters

    letters.generate_letters(db, settings.get(db, "current_year"), out)  # also records the generation


def _notices(db, out):
    supervision.render_notices(db, [n["id"] for n in supervision.list_notices(db)], out)


def _package(db, out):
    from core import materials

    materials.build_package(db, out)


DOCUMENTS = {"letters": _letters, "notices": _notices, "package": _package}


if __name__ == "__main__":
    main()
