"""Rules of the house: core/ never imports Qt; gui/ never builds SQL."""

import ast
import re

from conftest import ROOT


def _python_files(folder):
    return sorted((ROOT / folder).rglob("*.py"))


def test_core_has_no_qt():
    offenders = []
    for path in _python_files("core"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "gui") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|\.execute\()",
                 re.IGNORECASE)


def test_gui_has_no_sql():
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("gui") if SQL.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# The Store seam: only the store, the old db module and the migrations hold the connection or speak
# SQLite's own dialect; written exactly as the renovation states it, comments included.
STORE_ONLY = re.compile(r"\.conn\b|pragma|sqlite_master|db\[\"|db\['", re.IGNORECASE)


def _store_may_touch(relative: str) -> bool:
    return (relative in ("core/db.py", "core/store.py") or relative.startswith("core/store/")
            or re.fullmatch(r"core/migrations[^/]*\.py", relative) is not None
            or relative.startswith("core/migrations/"))


def test_only_the_store_holds_the_connection():
    offenders = []
    for path in _python_files("core"):
        relative = path.relative_to(ROOT).as_posix()
        if _store_may_touch(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STORE_ONLY.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


MAX_LINES = 500
KEPT_WHOLE = re.compile(r"^\s*(Kept whole because|不拆：)", re.MULTILINE)


def test_no_module_is_longer_than_one_person_can_hold():
    """Over 500 lines only with a reason near the top; migrations excepted."""
    offenders = []
    for path in [*_python_files("core"), *_python_files("gui"), ROOT / "main.py"]:
        relative = path.relative_to(ROOT).as_posix()
        if re.fullmatch(r"core/migrations[^/]*\.py", relative) or relative.startswith("core/migrations/"):
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") + (not text.endswith("\n")) > MAX_LINES and not KEPT_WHOLE.search(text[:1500]):
            offenders.append(f"{relative}: {text.count(chr(10))} lines")
    assert offenders == []


def _imported_modules(path, package: str) -> list[str]:
    """Absolute names of what a module imports, relative imports resolved against its package."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{a.name}" for a in node.names]  # from gui.views import scoring
    return names


def test_views_never_import_other_views():
    views = ROOT / "gui" / "views"
    areas = {p.stem if p.is_file() else p.name for p in views.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())) and p.stem != "__init__"}
    offenders = []
    for path in _python_files("gui/views"):
        relative = path.relative_to(views)
        if relative.as_posix() == "__init__.py":
            continue  # the page registry
        own = relative.parts[0].removesuffix(".py")
        package = ".".join(["gui", "views", *relative.parts[:-1]]) if len(relative.parts) > 1 else "gui.views"
        if path.name == "__init__.py":
            package = ".".join(["gui", "views", *relative.parts[:-1]])
        for name in _imported_modules(path, package):
            parts = name.split(".")
            if parts[:2] == ["gui", "views"] and len(parts) > 2 and parts[2] in areas and parts[2] not in (own, "base"):
                offenders.append(f"{relative.as_posix()} imports {name}")
    assert sorted(set(offenders)) == []
