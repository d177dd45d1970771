"""The figures and what they share: a registry, the run context, timing and the result line.

A module of this package registers a function with @group(name, …) naming every figure it can
measure; the function gets the run's Context and the subset of its names that were asked for, and
yields one result() per line. Figures measured together (the window runs give three) live in one
group so the expensive part runs once. Add a module to MODULES to add figures.

A figure opens the ledger with ctx.open_store() (and the window with bench.figures.qt.open_window),
so the same code measures a data folder's SQLite ledger or a shared ledger on a server; groups that
only read the ledger say so with @group(…, reads_only=True) and are the ones run on a server.
"""

from __future__ import annotations

import importlib
import math
import os
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.generate import OPERATOR, Dataset
from core.paths import DataDir

MODULES = [
    "bench.figures.xlsx",
    "bench.figures.tree_filter",
    "bench.figures.gui_filter",
    "bench.figures.window",
    "bench.figures.scoring",
    "bench.figures.home",
    "bench.figures.search",
    "bench.figures.list_filter",
    "bench.figures.unit_packages",
    "bench.figures.remind",
]
QUERY_LIMIT_S = 30  # a call still running after this is stopped and recorded as over the limit
VALUE_TIME_S = 15  # sampling one value stops after this much measuring (after the first sample)


@dataclass
class Context:
    dataset: Dataset
    scale: str
    repeat: int | None  # --repeat: samples per figure (per value for the filters) instead of the default
    scratch: Path
    server: str | None = None  # the shared ledger's address: the dataset is on this server, not in the folder
    password: str | None = None  # the server login's, when not in the address (libpq's rules otherwise)

    @property
    def engine(self) -> str:
        return "postgresql" if self.server else "sqlite"

    @property
    def ledger(self) -> str:
        """Which ledger is measured (a key for what is chosen from it once per run)."""
        return self.server or str(self.dataset.data.root)

    def open_store(self):
        """The dataset's ledger as the program opens it: the data folder's, or the shared one."""
        from core.store import open_store

        store = open_store(self.dataset.data, OPERATOR, server=self.server, password=self.password)
        if store.engine != "sqlite":
            # A statement still running after QUERY_LIMIT_S is cancelled by the server, whichever
            # figure ran it: one plan gone wrong (a search once ran 22 minutes) fails its group
            # instead of stalling the run. SQLite's figures arm QueryLimit where they need it.
            store.run_script(f"SET statement_timeout = {int(QUERY_LIMIT_S * 1000)}")
        return store

    def samples(self, default: int) -> int:
        return self.repeat or default

    def copy_data(self, name: str) -> DataDir:
        """A private copy of the dataset's data folder, for figures that write."""
        target = DataDir(self.scratch / name)
        source = sqlite3.connect(self.dataset.data.db_path)
        copy = sqlite3.connect(target.db_path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target


@dataclass(frozen=True)
class Group:
    names: tuple[str, ...]
    run: Callable[[Context, set[str]], Iterable[dict]]
    reads_only: bool  # reads the ledger only, in this process: can measure a shared ledger


_GROUPS: list[Group] = []


def group(*names: str, reads_only: bool = False):
    def register(func):
        _GROUPS.append(Group(names, func, reads_only))
        return func
    return register


def groups() -> list[Group]:
    if not _GROUPS:
        for module in MODULES:
            importlib.import_module(module)
    return _GROUPS


def figure_names() -> list[str]:
    return [name for g in groups() for name in g.names]


def repeats(count: int, budget_s: float = VALUE_TIME_S):
    """range(count), cut short once budget_s has gone by: a slow case gets fewer samples, not hours."""
    started = time.perf_counter()
    for i in range(count):
        if i and time.perf_counter() - started > budget_s:
            return
        yield i


class QueryLimit:
    """Stops a query of this store once it has run QUERY_LIMIT_S, so that one pathological case,
    minutes per call, cannot stall the whole run: SQLite interrupts it (sqlite3.OperationalError
    "interrupted"), the server cancels it (statement_timeout, for every statement of the session).
    stopped(exc) tells such a stop from any other failure."""

    def __init__(self, db, seconds: float = QUERY_LIMIT_S):
        self.seconds = seconds
        self.deadline = math.inf
        self.fired = 0
        self.engine = db.engine
        if db.engine == "sqlite":
            db.conn.set_progress_handler(self._check, 10_000)  # every 10,000 VM steps: negligible overhead
        else:
            db.run_script(f"SET statement_timeout = {int(seconds * 1000)}")

    def stopped(self, exc: BaseException) -> bool:
        if self.engine == "sqlite":
            return isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted"
        import psycopg

        if isinstance(exc, psycopg.errors.QueryCanceled):
            self.fired += 1
            return True
        return False

    @contextmanager
    def armed(self):
        """The limit applies to queries inside the with-block only."""
        self.deadline = time.perf_counter() + self.seconds
        try:
            yield
        finally:
            self.deadline = math.inf

    def _check(self) -> int:
        if time.perf_counter() > self.deadline:
            self.fired += 1
            self.deadline = math.inf
            return 1
        return 0


class Timer:
    """Wall and CPU time of each sample. The CPU time hardly moves when other programs compete for
    the two cores, so it is the steadier figure for comparing runs on a busy machine."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @contextmanager
    def sample(self):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall.append((time.perf_counter() - wall) * 1000)
            self.cpu.append((time.process_time() - cpu) * 1000)


def _load_average() -> float | None:
    """The 1-minute load average; None on Windows, which has none."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def now() -> float:
    return time.perf_counter()


def time_each(parts: dict) -> dict[str, float]:
    """One run of each named callable: where a slow figure spends its time (ms, one decimal)."""
    out = {}
    for name, run in parts.items():
        started = now()
        run()
        out[name] = round(ms_since(started), 1)
    return out


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def median(values) -> float | None:
    return round(statistics.median(values), 2) if values else None


def p95(values) -> float | None:
    """Nearest-rank 95th percentile: with few samples it is the slowest one."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 2)


def slowest(per_value: dict[str, list[float]]) -> tuple[str | None, list[float]]:
    """The value whose samples have the highest median, and those samples. A figure over several
    values (queries, filter choices) is judged by its slowest: the budget holds for every one."""
    timed = {label: samples for label, samples in per_value.items() if samples}
    if not timed:
        return None, []
    label = max(timed, key=lambda k: (statistics.median(timed[k]), k))
    return label, timed[label]


def result(name: str, samples_ms: list[float] | None, budget_ms: float | None, ctx: Context, n: int | None = None,
           **extra) -> dict:
    """One JSON line. samples_ms None: the figure is not a time (memory); n then says how many runs.
    load is the 1-minute load average when the figure was done: above 2 on this 2-core machine,
    other work shared the cores and wall times are inflated."""
    line = {"figure": name, "median_ms": median(samples_ms or []), "p95_ms": p95(samples_ms or []),
            "budget_ms": None if budget_ms is None else round(budget_ms, 2), "scale": ctx.scale,
            "n": len(samples_ms) if n is None else n, "load": _load_average(), "engine": ctx.engine}
    line.update(extra)
    return line
