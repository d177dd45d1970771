"""The long crash soak: 500 SIGKILLs of a writing process (the suite runs 30).

    python -m bench.crash_soak [--kills 500]

Runs tests/test_crash.py with CRASH_KILLS set and prints one JSON line with the time it took.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_soak")
    parser.add_argument("--kills", type=int, default=500)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:faulthandler", "tests/test_crash.py",
                             "-k", "writing"], cwd=root,
                            env={**os.environ, "CRASH_KILLS": str(args.kills), "QT_QPA_PLATFORM": "offscreen"})
    print(json.dumps({"figure": "crash_soak", "kills": args.kills, "passed": result.returncode == 0,
                      "seconds": round(time.perf_counter() - start, 1)}))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
