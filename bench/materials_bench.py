"""档案材料 at scale: checklist filter latency (core and through the page), a change made on the page
until its row shows it, review-mode step latency, attaching 200 photos of 5 MB (against a plain copy of the same files) and the 迎检资料包 export.

    python -m bench.materials_bench --scale 10x [--repeat N] [--keep DIR]

10x: the benchmark edition (about 6,000 standards) with 40,000 materials and 200,000 attachment
rows (over 2,000 distinct small photos in the store). Prints one JSON line per figure on stdout;
progress on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.generate import OPERATOR, generate
from core import attachments, materials
from core.paths import DataDir
from core.store import open_store

SHAPES = {"1x": (4_000, 20_000, 200), "10x": (40_000, 200_000, 2_000)}  # materials, attachment rows, files
PHOTO_COUNT, PHOTO_MB = 200, 5


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median(samples):
    s = sorted(samples)
    return round(s[len(s) // 2], 2)


def p95(samples):
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(len(s) * 0.95))], 2)


def emit(figure: str, scale: str, samples_ms: list[float], **extra) -> None:
    print(json.dumps({"figure": figure, "scale": scale, "median_ms": median(samples_ms), "p95_ms": p95(samples_ms),
                      "n": len(samples_ms), **extra}, ensure_ascii=False), flush=True)


def _small_photo(rng: random.Random) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue() + rng.randbytes(16)  # distinct content; JPEG readers ignore trailing bytes


def populate(db, n_materials: int, n_attachments: int, n_files: int, seed: int = 1) -> None:
    """The default checklist, topped up to n_materials with hand-added requirements, and
    n_attachments rows over n_files distinct stored photos (written straight to the store)."""
    rng = random.Random(seed)
    edition_id = db.rows("SELECT id FROM editions ORDER BY id LIMIT 1")[0]["id"]
    t = time.perf_counter()
    added = materials.init_checklist(db, edition_id)
    log(f"materials-init: {added} materials in {time.perf_counter() - t:.1f} s")
    standards = db.rows("SELECT id FROM framework_nodes WHERE edition_id = :p1 AND level = 3", {"p1": edition_id})
    unit_ids = [r["id"] for r in db.rows("SELECT id FROM units")]
    now = datetime.now().isoformat(timespec="seconds")
    extra = []
    for i in range(n_materials - added):
        extra.append({"edition_id": edition_id, "node_id": rng.choice(standards)["id"], "position": 100 + i,
                      "kind": rng.choice(materials.KINDS), "title": f"补充材料 {i}", "requirement": "按要求报送",
                      "unit_id": rng.choice(unit_ids), "due_on": f"2026-{rng.randint(1, 12):02d}-15",
                      "status": "待提交", "updated_at": now})
    with db.write():
        db.executemany(f"INSERT INTO materials ({', '.join(extra[0])}) VALUES ({', '.join(':' + k for k in extra[0])})", extra)
        ids = [r["id"] for r in db.rows("SELECT id FROM materials")]
        for status in ("已提交", "审核通过", "需补充", "已归档"):
            chosen = rng.sample(ids, len(ids) // 8)
            db.conn.executemany("UPDATE materials SET status = ?, comment = ? WHERE id = ?",
                                [(status, "请补充盖章件" if status == "需补充" else "", i) for i in chosen])
    store = attachments.attachments_root(db)
    files = []
    for _ in range(n_files):
        content = _small_photo(rng)
        sha = hashlib.sha256(content).hexdigest()
        (store / sha[:2]).mkdir(parents=True, exist_ok=True)
        (store / sha[:2] / sha).write_bytes(content)
        files.append((sha, len(content)))
    per = n_attachments // len(ids)
    batch = []
    for material_id in ids:
        for k in range(per):
            sha, size = rng.choice(files)
            batch.append((sha, "materials", material_id, f"现场照片{k + 1}.jpg", size, "image/jpeg", now, k + 1))
    with db.write():
        db.conn.executemany("INSERT INTO attachments (sha256, owner_table, owner_id, original_name, size, mime,"
                            " added_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
    log(f"populated: {len(ids)} materials, {len(batch)} attachment rows over {len(files)} stored files")


def _big_photos(folder: Path, rng: random.Random) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    noise = Image.frombytes("RGB", (1400, 1050), rng.randbytes(1400 * 1050 * 3))
    buf = io.BytesIO()
    noise.save(buf, "JPEG", quality=92)
    base = buf.getvalue()
    pad = PHOTO_MB * 1024 * 1024 - len(base)
    paths = []
    for i in range(PHOTO_COUNT):
        p = folder / f"现场照片-{i:03d}.jpg"
        p.write_bytes(base + rng.randbytes(max(pad, 16)))
        paths.append(p)
    return paths


def bench_filters(db, scale: str, repeat: int) -> None:
    edition_id = db.rows("SELECT id FROM editions ORDER BY id LIMIT 1")[0]["id"]
    samples = []
    for _ in range(max(3, repeat // 4)):
        t = time.perf_counter()
        data = materials.checklist(db, edition_id)
        samples.append((time.perf_counter() - t) * 1000)
    emit("materials_checklist_load", scale, samples, rows=len(data))
    choices = materials.filter_choices(db, edition_id)
    cases = {"text3": materials.MaterialFilter(text="补充材"), "text1": materials.MaterialFilter(text="盖"),
             "unit": materials.MaterialFilter(unit_id=choices["units"][5]["id"]),
             "category": materials.MaterialFilter(category_id=choices["categories"][3]["id"]),
             "status": materials.MaterialFilter(status="需补充"), "kind": materials.MaterialFilter(kind="实景图片"),
             "overdue": materials.MaterialFilter(overdue=True)}
    for name, f in cases.items():
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            shown = materials.filter_rows(data, f)
            samples.append((time.perf_counter() - t) * 1000)
        emit("materials_filter_core", scale, samples, case=name, shown=len(shown), budget_ms=50)


def bench_gui(data_dir, scale: str, repeat: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from core import framework
    from core.paths import DataDir
    from gui.main_window import MainWindow
    from gui.views.materials.review import ReviewWindow

    db = open_store(DataDir(data_dir), OPERATOR)
    window = MainWindow(db, DataDir(data_dir), OPERATOR)
    window.show()
    page = window.show_page("materials")
    page.refresh()  # the page may have been shown already; load the 10x checklist for sure
    app.processEvents()

    def timed(change) -> float:
        t = time.perf_counter()
        change()
        app.processEvents()
        return (time.perf_counter() - t) * 1000

    checklist = page.checklist
    combos = {"unit": checklist.unit_box, "category": checklist.category_box, "status": checklist.status_box,
              "kind": checklist.kind_box}
    for name, combo in combos.items():
        samples = []
        for i in range(repeat):
            samples.append(timed(lambda: combo.setCurrentIndex(1 + i % min(5, combo.count() - 1))))
            combo.setCurrentIndex(0)
            app.processEvents()
        emit("materials_filter_gui", scale, samples, case=name, budget_ms=50)
    samples = []
    for i in range(repeat):
        samples.append(timed(lambda: (checklist.search.setText("补充材料 1" + str(i % 10)), checklist.apply_filter())))
    checklist.search.setText("")
    checklist.apply_filter()
    emit("materials_filter_gui", scale, samples, case="text", budget_ms=50)
    samples = []
    for i in range(repeat):
        samples.append(timed(lambda: checklist.overdue_box.setChecked(not checklist.overdue_box.isChecked())))
    emit("materials_filter_gui", scale, samples, case="overdue", budget_ms=50)

    # A change made on the page, until the list shows it: 提交 of a material 待提交, and 保存修改 of
    # its title (each sample a different material, all filters off).
    checklist.overdue_box.setChecked(False)
    app.processEvents()
    pending = [r["id"] for r in checklist.model.rows() if r["status"] == "待提交"][:2 * repeat]
    samples = []
    for material_id in pending[:repeat]:
        page.select_material(material_id)
        samples.append(timed(lambda: page.do_action("submit")))
    emit("materials_change_gui", scale, samples, case="submit")
    samples = []
    for i, material_id in enumerate(pending[repeat:]):
        page.select_material(material_id)
        page.detail.title_edit.setText(f"基准修改材料 {i}")
        samples.append(timed(page.save_current))
    emit("materials_change_gui", scale, samples, case="save")

    edition_id = framework.current_edition_id(db) or db.rows("SELECT id FROM editions LIMIT 1")[0]["id"]
    review = ReviewWindow(window.ctx, edition_id, window)
    review.show()
    samples = []
    for _ in range(repeat):
        samples.append(timed(review.next))
    emit("materials_review_step", scale, samples, files_per_item="5 small photos")
    # step over the items holding the 5 MB photos (attached by bench_attach)
    photo_ids = [r["owner_id"] for r in db.rows("SELECT DISTINCT owner_id FROM attachments WHERE original_name"
                                                  " LIKE '现场照片-%' ORDER BY owner_id")]
    if photo_ids:
        samples = []
        for material_id in photo_ids[:repeat]:
            review.index = review.order.index(material_id) - 1
            samples.append(timed(review.next))
        emit("materials_review_step", scale, samples, files_per_item=f"5 photos of {PHOTO_MB} MB")
    review.close()
    window.close()
    db.conn.close()


def bench_attach(db, scale: str, scratch: Path) -> None:
    rng = random.Random(7)
    photos = _big_photos(scratch / "photos", rng)
    edition_id = db.rows("SELECT id FROM editions ORDER BY id LIMIT 1")[0]["id"]
    targets = [r["id"] for r in db.rows("SELECT id FROM materials WHERE edition_id = :p1 ORDER BY id LIMIT :p2",
                                     {"p1": edition_id, "p2": PHOTO_COUNT // 5})]
    t = time.perf_counter()
    target = scratch / "plain-copy"
    target.mkdir()
    for p in photos:
        shutil.copy2(p, target / p.name)
    copy_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    for i, p in enumerate(photos):
        attachments.add_attachment(db, materials.OWNER, targets[i // 5], p)
    attach_ms = (time.perf_counter() - t) * 1000
    mb = PHOTO_COUNT * PHOTO_MB
    print(json.dumps({"figure": "materials_attach_photos", "scale": scale, "photos": PHOTO_COUNT, "mb": mb,
                      "attach_ms": round(attach_ms), "plain_copy_ms": round(copy_ms),
                      "attach_mb_per_s": round(mb / attach_ms * 1000, 1),
                      "plain_copy_mb_per_s": round(mb / copy_ms * 1000, 1),
                      "ratio": round(attach_ms / copy_ms, 2)}, ensure_ascii=False), flush=True)
    shutil.rmtree(target)


def bench_package(db, scale: str, scratch: Path) -> None:
    for name in ("迎检资料包", "迎检资料包.zip"):
        out = scratch / name
        t = time.perf_counter()
        result = materials.build_package(db, out)
        ms = (time.perf_counter() - t) * 1000
        print(json.dumps({"figure": "materials_package", "scale": scale, "kind": "zip" if name.endswith(".zip")
                          else "folder", "ms": round(ms), "materials": result.materials, "files": result.files,
                          "files_per_s": round(result.files / ms * 1000)}, ensure_ascii=False), flush=True)
        shutil.rmtree(out) if out.is_dir() else out.unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.materials_bench")
    parser.add_argument("--scale", choices=sorted(SHAPES), default="1x")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", metavar="DIR", help="build the dataset here and leave it (default: a temporary folder)")
    parser.add_argument("--no-package", action="store_true", help="skip the package export (the longest figure)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="materials-bench-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "data"
        t = time.perf_counter()
        generate(root, args.scale, work=False)  # its own checklist follows (populate)
        log(f"dataset generated in {time.perf_counter() - t:.1f} s")
        db = open_store(DataDir(root), OPERATOR)
        populate(db, *SHAPES[args.scale])
        bench_filters(db, args.scale, args.repeat)
        bench_attach(db, args.scale, Path(tmp))
        db.conn.close()
        bench_gui(root, args.scale, args.repeat)
        if not args.no_package:
            db = open_store(DataDir(root), OPERATOR)
            bench_package(db, args.scale, Path(tmp))
            db.conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
