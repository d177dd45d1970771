"""Print the project's Python dependencies from setup.cfg (one list to keep), for pip install -r."""

import configparser
import sys
from pathlib import Path

config = configparser.ConfigParser()
config.read(Path(__file__).resolve().parent.parent / "setup.cfg", encoding="utf-8")
lines = config["options"]["install_requires"].split("\n")
if "--test" in sys.argv:
    lines += config["options.extras_require"]["test"].split("\n")
print("\n".join(line.strip() for line in lines if line.strip()))
