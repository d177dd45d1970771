"""The long crash soak: 500 SIGKILLs of a writing process (the suite runs 30), and 50 each while
writing letters, notices and the 迎检资料包 (the suite runs 2 of each).

    python -m bench.crash_soak [--kills 500] [--doc-kills 50]

Runs tests/test_crash.py with CRASH_KILLS and CRASH_DOC_KILLS set and prints one JSON line with the
time it took.
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
    parser.add_argument("--doc-kills", type=int, default=50)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:faulthandler", "tests/test_crash.py",
                             "-m", "slow or not slow", "-k", "loses_no_committed_change or soak_while_writing_documents"],
                            cwd=root, env={**os.environ, "CRASH_KILLS": str(args.kills),
                                           "CRASH_DOC_KILLS": str(args.doc_kills), "QT_QPA_PLATFORM": "offscreen"})
    print(json.dumps({"figure": "crash_soak", "kills": args.kills, "document_kills": 3 * args.doc_kills,
                      "passed": result.returncode == 0, "seconds": round(time.perf_counter() - start, 1)}))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
