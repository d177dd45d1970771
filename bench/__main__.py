"""python -m bench --scale 1x|10x [--only NAME[,NAME…]] [--data DIR] [--server URL] [--repeat N] [--seed S]
                    [--profile FILE]

Prints one JSON object per figure (per case or page where a figure has several) on stdout;
progress goes to stderr. Without --data the dataset is generated into a temporary folder. With
--server the dataset is the shared ledger on that server (--data is then only this PC's folder):
the figures that only read the ledger are measured, the others skipped with a note.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.figures import Context, figure_names, groups
from bench.generate import SCALES, existing, generate
from core.paths import DataDir


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description="创城工作台 benchmarks (DESIGN.md, Performance)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="1x",
                        help="dataset size (with --data: only the label printed with each figure)")
    parser.add_argument("--only", metavar="NAME[,NAME…]",
                        help="measure only these figures: " + ", ".join(figure_names()))
    parser.add_argument("--data", metavar="DIR", help="measure this data folder instead of a generated one"
                                                      " (with --server: this PC's folder for logs and cache)")
    parser.add_argument("--server", metavar="URL",
                        help="measure the shared ledger on this PostgreSQL server (postgresql://user@host:port/db),"
                             " which already holds the dataset; the password as libpq finds it (PGPASSWORD, pgpass)")
    parser.add_argument("--repeat", type=int, metavar="N", help="samples per figure (per value for the filters)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated dataset")
    parser.add_argument("--profile", metavar="FILE", type=Path,
                        help="write cProfile statistics of the measuring to FILE (not of child processes)")
    args = parser.parse_args(argv)
    args.only = set(args.only.split(",")) if args.only else set(figure_names())
    unknown = args.only - set(figure_names())
    if unknown:
        parser.error(f"unknown figure {', '.join(sorted(unknown))}; known: {', '.join(figure_names())}")
    return args


def main(argv=None) -> int:
    args = _parse(argv)
    with tempfile.TemporaryDirectory(prefix="chuangcheng-bench-") as tmp:
        tmp = Path(tmp)
        # Qt reads these when it starts: no display needed, and the user's saved window state
        # (QSettings: last page, geometry) neither changes what is measured nor gets overwritten.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
        started = time.perf_counter()
        if args.server:
            dataset = existing(DataDir(args.data or tmp / "local"), server=args.server)
        else:
            dataset = existing(DataDir(args.data)) if args.data else generate(tmp / "data", args.scale, args.seed)
        where = args.server.rsplit("@", 1)[-1] if args.server else dataset.data.root
        print(f"dataset in {where} ({time.perf_counter() - started:.1f} s): "
              + ", ".join(f"{k} {v:,}" for k, v in dataset.counts.items()), file=sys.stderr)
        scratch = tmp / "scratch"
        scratch.mkdir()
        ctx = Context(dataset, args.scale, args.repeat, scratch, server=args.server)
        profiler = cProfile.Profile() if args.profile else None
        failed = []
        for group in groups():
            wanted = args.only & set(group.names)
            if not wanted:
                continue
            if ctx.server and not group.reads_only:
                print(f"{', '.join(g for g in group.names if g in wanted)}: skipped on a shared ledger"
                      " (it writes, or starts the program in child processes on a data folder)", file=sys.stderr)
                continue
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            try:
                for line in group.run(ctx, wanted):
                    if line["figure"] in wanted:
                        print(json.dumps(line, ensure_ascii=False), flush=True)
            except Exception:  # noqa: BLE001 - one group's failure (a cancelled query) ends only that group
                failed.append(group.names[0])
                print(f"{', '.join(g for g in group.names if g in wanted)}: failed\n{traceback.format_exc()}",
                      file=sys.stderr)
            if profiler:
                profiler.disable()
            print(f"{', '.join(g for g in group.names if g in wanted)}: {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
        if profiler:
            profiler.dump_stats(args.profile)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
