"""Backup and restore throughput against the plain tools on the same data.

    python -m bench.backup_bench --scale 10x [--attachments-mb 1000] [--repeat 3]

Generates the dataset (bench.generate) plus incompressible attachment files (like photos) totalling
--attachments-mb, scaled down with a message when the disk is short. Each figure is one JSON line:
our .ccbak backup (snapshot + stream + read-back verification) and restore (verification, safety
backup skipped on an empty target, extraction, swap) against `sqlite3 .backup` plus `tar` of the
attachment folder (and `tar -x` plus a copy for restore). DESIGN.md asks for backup throughput of
at least half the plain tools'.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from core import attachments, safety
from core.paths import DataDir
from core.store import open_store


def _add_attachments(db, data: DataDir, total_mb: int, file_mb: float = 2.5) -> int:
    scratch = data.root.parent / "incoming"
    scratch.mkdir(exist_ok=True)
    count = max(1, int(total_mb / file_mb))
    for i in range(count):
        f = scratch / f"现场照片{i:04d}.jpg"
        f.write_bytes(os.urandom(int(file_mb * 1024 * 1024)))
        attachments.add_attachment(db, "units", 1 + i % 50, f)
        f.unlink()
    return count


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.backup_bench")
    parser.add_argument("--scale", default="1x", choices=["1x", "10x"])
    parser.add_argument("--attachments-mb", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not shutil.which("sqlite3") or not shutil.which("tar"):
        raise SystemExit("需要 sqlite3 与 tar 命令行工具作对照（apt-get install sqlite3）。")
    work = Path(tempfile.mkdtemp(prefix="ccbench-backup-"))
    try:
        free_mb = shutil.disk_usage(work).free / 1024 / 1024
        wanted = args.attachments_mb
        if free_mb < wanted * 6:  # store, our backup, tar, two restores, headroom
            wanted = max(50, int(free_mb / 8))
            print(json.dumps({"note": f"free disk {free_mb:.0f} MB: attachments scaled down to {wanted} MB"}), flush=True)
        from bench.generate import generate

        data = DataDir(work / "data")
        generate(data.root, args.scale)
        db = open_store(data, "bench")
        n_files = _add_attachments(db, data, wanted)
        size_mb = (data.db_path.stat().st_size + sum(p.stat().st_size for p in data.attachments.rglob("*") if p.is_file())) / 1024 / 1024
        ours, plain, ours_restore, plain_restore = [], [], [], []
        for i in range(args.repeat):
            out = work / f"out{i}"
            out.mkdir()
            ours.append(_time(lambda: safety.make_backup(data, db, out)))
            path = next(out.glob("*.ccbak"))

            def plain_backup():
                subprocess.run(["sqlite3", str(data.db_path), f".backup '{out / 'plain.db'}'"], check=True)
                subprocess.run(["tar", "-cf", str(out / "attachments.tar"), "-C", str(data.root), "attachments"], check=True)

            plain.append(_time(plain_backup))
            target = DataDir(work / f"restore{i}")
            ours_restore.append(_time(lambda: safety.restore_backup(target, path)))
            plain_target = work / f"plain-restore{i}"
            plain_target.mkdir()

            def plain_restore_fn():
                subprocess.run(["tar", "-xf", str(out / "attachments.tar"), "-C", str(plain_target)], check=True)
                shutil.copyfile(out / "plain.db", plain_target / "chuangcheng.db")

            plain_restore.append(_time(plain_restore_fn))
            shutil.rmtree(out)
            shutil.rmtree(target.root)
            shutil.rmtree(plain_target)
        db.conn.close()
        for name, ours_s, plain_s in (("backup", ours, plain), ("restore", ours_restore, plain_restore)):
            o, p = statistics.median(ours_s), statistics.median(plain_s)
            print(json.dumps({"figure": name, "scale": args.scale, "data_mb": round(size_mb), "files": n_files,
                              "median_ms": round(o * 1000), "p95_ms": round(max(ours_s) * 1000),
                              "plain_median_ms": round(p * 1000), "mb_per_s": round(size_mb / o, 1),
                              "plain_mb_per_s": round(size_mb / p, 1), "ratio_of_plain": round(p / o, 2),
                              "budget_ratio": 0.5}, ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
