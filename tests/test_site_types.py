"""One 点位类型 list for 督查 findings and 测评 results: the types offices name, an unknown type in an
import reported once and added on request (--add-types, or one click in the window), and a refused
录入问题 that leaves no new 点位 behind."""

import pytest

from core import settings, supervision
from core.errors import AppError
from core.xlsx.writer import Sheet, write_workbook
from conftest import ledger_args
from test_scoring import HEADERS_B, case_db, write_xlsx  # noqa: F401 - fixture
from test_supervision import office, place  # noqa: F401 - fixtures
from test_supervision_io import HEADERS, run_cli


def test_the_list_holds_the_site_types_of_field_inspections(db):
    types = settings.vocab(db, "site_type")
    for named in ("主干道", "背街小巷", "农贸市场", "公交站台", "政务大厅", "社区", "学校", "医院"):
        assert named in types


def _findings_file(path, site_type):
    write_workbook(path, [Sheet("检查结果", HEADERS, [
        ["2026-10-12", "明察暗访", f"新点位{i}", site_type, "城关街道办事处", "", f"问题{i}", "区城管局", "", "一般", ""]
        for i in range(3)])])
    return path


def test_findings_import_reports_an_unknown_type_once_and_adds_it_when_asked(office, data_dir, tmp_path):  # noqa: F811
    path = _findings_file(tmp_path / "结果.xlsx", "城中村")
    with pytest.raises(AppError) as err:
        supervision.import_findings(office, path)
    assert [p.column for p in err.value.problems] == ["点位类型"]
    assert "城中村" in err.value.problems[0].message and "第 2、3、4 行" in err.value.problems[0].message
    out = run_cli(ledger_args(office, data_dir), "findings-import", str(path))
    assert out.returncode == 2 and out.stderr.count("城中村") == 1 and "--add-types" in out.stderr
    out = run_cli(ledger_args(office, data_dir), "findings-import", str(path), "--add-types")
    assert out.returncode == 0, out.stderr
    assert "新增 3 个督查问题" in out.stdout and "新加入点位类型：城中村" in out.stdout
    assert "城中村" in settings.vocab(office, "site_type")
    assert {s["site_type"] for s in supervision.list_sites(office) if s["name"].startswith("新点位")} == {"城中村"}


def test_results_import_checks_types_against_the_same_list(case_db, data_dir, tmp_path):  # noqa: F811
    rows = [["市容环境", "1.1.1", "庆阳路", "农贸市场", "城关街道", 1, 0.5, None, "甲局", "地面湿滑"],
            ["市容环境", "1.1.1", "东岗路", "城中村", "东岗街道", 1, 0.8, None, "甲局", "垃圾"],
            ["市容环境", "1.1.1", "西岗路", "城中村", "东岗街道", 1, 0.8, None, "甲局", "垃圾"]]
    path = write_xlsx(tmp_path / "成绩.xlsx", HEADERS_B, rows)
    out = run_cli(ledger_args(case_db, data_dir), "import-results", str(path), "--round", "2026年市测")
    assert out.returncode == 2 and out.stderr.count("城中村") == 1 and "农贸市场" not in out.stderr.split("可选")[0]
    out = run_cli(ledger_args(case_db, data_dir), "import-results", str(path), "--round", "2026年市测", "--add-types")
    assert out.returncode == 0, out.stderr
    assert "新加入点位类型：城中村" in out.stdout and "城中村" in settings.vocab(case_db, "site_type")


def test_window_offers_to_add_an_unknown_type_and_imports(qtbot, window, demo_db, tmp_path, monkeypatch):
    path = _findings_file(tmp_path / "结果.xlsx", "城中村")
    asked = []
    monkeypatch.setattr("gui.dialogs.confirm", lambda parent, title, text, ok="": asked.append((text, ok)) or True)
    shown = []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(path))
    before = supervision.list_findings(demo_db)[1]
    page = window.show_page("supervision")
    page.findings.import_findings()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert len(asked) == 1 and "城中村" in asked[0][0] and asked[0][1] == "加入点位类型并重新导入"
    assert "城中村" in settings.vocab(demo_db, "site_type")
    assert supervision.list_findings(demo_db)[1] == before + 3


def test_a_refused_finding_entry_leaves_no_new_site(qtbot, window, demo_db, monkeypatch):
    errors = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: errors.append(exc.message_zh))
    page = window.show_page("supervision")
    entry = page.entry
    sites_before = len(supervision.list_sites(demo_db))
    entry.site.setCurrentText("全新的农贸市场")
    entry.site_type.setCurrentText("农贸市场")
    entry.description.setPlainText("")  # a finding needs its description: refused
    assert entry.save() is None
    assert errors
    assert len(supervision.list_sites(demo_db)) == sites_before
    assert supervision.find_site(demo_db, "全新的农贸市场") is None
