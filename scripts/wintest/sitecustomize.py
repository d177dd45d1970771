"""Imported at start by every Python of the Windows harness (this folder is on its ._pth path, never
the program's): wine-only gaps that would otherwise stop a run.

- wine 8 exports CopyFile2 as a stub that aborts the process when called, and Python 3.12+ copies
  with it in shutil.copy2 (so copytree and move across drives): without it, shutil takes its
  portable path (copyfile, then copystat), as it does where CopyFile2 is missing."""

import _winapi

if hasattr(_winapi, "CopyFile2"):
    del _winapi.CopyFile2
