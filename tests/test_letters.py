"""目标责任书: template, letters read back from the PDF, signing state, change detection, the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core import attachments, audit, framework, letters, units
from core.errors import AppError
from district import load_district

A4 = (595.28, 841.89)
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def current(db) -> int:
    return framework.current_edition_id(db)


def unit_id(db, name: str) -> int:
    return units.resolve_one(db, name)


@pytest.fixture
def district(db):
    return load_district(db)


# --- template ---------------------------------------------------------------------------------------

def test_default_template_uses_only_known_placeholders_and_has_the_required_parts():
    template = letters.default_template()
    assert letters.validate_template(template) == {k: template[k].strip() for k in letters.TEMPLATE_FIELDS}
    text = "".join(template.values())
    for needed in ("{单位名称}", "{甲方名称}", "{年度}", "{任务数}", "{牵头任务数}", "{配合任务数}", "{分值合计}",
                   "考核与奖惩", "一式两份"):
        assert needed in text


def test_readme_documents_the_closed_set_of_placeholders():
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{{{name}}}`" in readme for name in letters.PLACEHOLDERS)


def test_unknown_placeholder_is_refused_with_its_name_and_nothing_saved(db):
    template = letters.default_template()
    template["body"] += "请{单位名字}于{截止日期}前报送。"
    with pytest.raises(AppError) as err:
        letters.save_template(db, template)
    assert "{单位名字}" in err.value.message_zh and "{截止日期}" in err.value.message_zh
    assert "正文" in err.value.message_zh
    assert db.value("SELECT count(*) FROM letter_templates") == 0


def test_stray_brace_is_refused_and_doubled_braces_are_literal(db):
    template = letters.default_template()
    with pytest.raises(AppError, match="单独的“{”"):
        letters.save_template(db, {**template, "copies": "一式两份{"})
    letters.save_template(db, {**template, "copies": "编号 {{甲}} 归{单位简称}"})
    assert letters.fill(letters.get_template(db)["copies"], {"单位简称": "城管局"}) == "编号 {甲} 归城管局"


def test_saving_the_template_is_audited_and_reset_restores_the_default(db):
    template = {**letters.default_template(), "title": "{年度}年度创城目标责任状"}
    letters.save_template(db, template)
    assert letters.get_template(db)["title"] == "{年度}年度创城目标责任状"
    logged = audit.history(db, "letter_templates", "default")
    assert logged[-1]["action"] == "修改责任书模板" and "标题" in logged[-1]["summary"]
    letters.reset_template(db)
    assert letters.get_template(db) == letters.validate_template(letters.default_template())


def test_empty_title_is_refused(db):
    with pytest.raises(AppError, match="标题不能为空"):
        letters.save_template(db, {**letters.default_template(), "title": "  "})


# --- tasks ------------------------------------------------------------------------------------------

def test_bulk_task_lists_match_unit_standards(district):
    edition_id = current(district)
    bulk = letters.tasks_by_unit(district, edition_id)
    for unit in units.list_units(district):
        one = framework.unit_standards(district, unit["id"], edition_id)
        assert [(t["code"], t["role"]) for t in bulk.get(unit["id"], [])] == [(t["code"], t["role"]) for t in one]


def test_placeholders_are_filled_per_unit(district):
    letters_built, without = letters.build_letters(district, 2026, current(district), [unit_id(district, "区城管局")])
    letter = letters_built[0]
    counts = letters.task_counts(letter.tasks)
    assert "区城管局" in letter.body and "XX区创建全国文明城市工作指挥部" in letter.body
    assert f"共{counts['tasks']}项，其中牵头{counts['lead']}项、配合{counts['support']}项" in letter.body
    assert letter.title == "2026年度创建全国文明城市目标责任书"
    assert "{" not in letter.body + letter.terms + letter.copies + letter.party_a + letter.party_b
    assert without == []


# --- PDFs -------------------------------------------------------------------------------------------

def test_every_unit_letter_names_the_unit_and_all_its_standards(district, tmp_path):
    out = tmp_path / "letters.pdf"
    result = letters.generate_letters(district, 2026, out)
    reader = PdfReader(out)
    assert result.pages == len(reader.pages)
    tasks = letters.tasks_by_unit(district, current(district))
    by_name = {u["name"]: u["id"] for u in units.list_units(district)}
    # Split the combined PDF at each "— 1 —": page numbers restart per letter.
    numbers = [int(PAGE_NUMBER.findall(p.extract_text())[-1]) for p in reader.pages]
    starts = [i for i, n in enumerate(numbers) if n == 1]
    assert len(starts) == len(result.letters)
    for k, (start, name) in enumerate(zip(starts, result.letters)):
        end = starts[k + 1] if k + 1 < len(starts) else len(reader.pages)
        assert numbers[start:end] == list(range(1, end - start + 1))
        text = squeeze("".join(reader.pages[i].extract_text() for i in range(start, end)))
        assert name in text
        for t in tasks[by_name[name]]:
            assert t["code"] in text, (name, t["code"])
    assert set(result.without_tasks) == {u["name"] for u in units.list_units(district) if u["id"] not in tasks}


def test_fonts_embedded_and_pages_a4(district, tmp_path):
    out = tmp_path / "one.pdf"
    letters.generate_letters(district, 2026, out, unit_ids=[unit_id(district, "区文明办")])
    reader = PdfReader(out)
    seen = 0
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.01)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            seen += 1
    assert seen


def _unit_with_many_tasks(db, count: int) -> int:
    """A unit leading `count` new standards in the current edition."""
    edition_id = current(db)
    new_unit = units.create_unit(db, {"name": "区重点任务测试局", "kind": "政府部门"})
    cat = framework.add_node(db, edition_id, None, {"title": "长表测试项目"})
    ind = framework.add_node(db, edition_id, cat, {"title": "长表测试内容"})
    for i in range(count):
        node = framework.add_node(db, edition_id, ind, {
            "code": f"99.1.{i + 1}", "title": f"第{i + 1}项测评标准：公共场所秩序井然，无乱停乱放、乱贴乱画现象，群众满意度高。",
            "points": 0.5, "deadline": "2026-10-31"})
        framework.set_assignments(db, node, [("unit", new_unit)], [])
    return new_unit


def test_sixty_task_letter_spans_pages_with_the_table_header_repeated(district, tmp_path):
    long_unit = _unit_with_many_tasks(district, 60)
    out = tmp_path / "long.pdf"
    result = letters.generate_letters(district, 2026, out, unit_ids=[long_unit])
    texts = [p.extract_text() for p in PdfReader(out).pages]
    assert result.pages == len(texts) >= 4
    table_pages = [t for t in texts if "99.1." in t]
    assert len(table_pages) >= 3
    assert all("标准编号" in t and "责任类型" in t and "完成时限" in t for t in table_pages)
    joined = squeeze("".join(texts))
    assert all(f"99.1.{i}" in joined for i in range(1, 61))
    assert [int(PAGE_NUMBER.findall(t)[-1]) for t in texts] == list(range(1, len(texts) + 1))


def test_duplex_starts_each_letter_on_an_odd_page(district, tmp_path):
    out = tmp_path / "duplex.pdf"
    ids = [unit_id(district, n) for n in ("区委办公室", "区文明办", "区城管局")]
    letters.generate_letters(district, 2026, out, unit_ids=ids, duplex=True)
    texts = [p.extract_text() for p in PdfReader(out).pages]
    starts = [i for i, t in enumerate(texts) if "目标责任书" in t and PAGE_NUMBER.findall(t)[-1:] == ["1"]]
    assert len(starts) == 3 and all(i % 2 == 0 for i in starts)


def test_unit_without_tasks_gets_no_letter_and_is_listed(district, tmp_path):
    idle = unit_id(district, "区政协办公室")
    busy = unit_id(district, "区城管局")
    result = letters.generate_letters(district, 2026, tmp_path / "x.pdf", unit_ids=[idle, busy])
    assert result.letters == ["区城管局"] and result.without_tasks == ["区政协办公室"]
    assert "区政协办公室" not in squeeze(pdf_text(tmp_path / "x.pdf"))
    with pytest.raises(AppError, match="没有可生成的责任书：区政协办公室"):
        letters.generate_letters(district, 2026, tmp_path / "y.pdf", unit_ids=[idle])
    assert not (tmp_path / "y.pdf").exists()


def test_unwritable_output_gives_a_clear_message_and_records_nothing(district, tmp_path):
    before = district.rows("SELECT * FROM letter_status ORDER BY id")
    with pytest.raises(AppError, match="无法写入文件"):
        letters.generate_letters(district, 2026, tmp_path / "no-such-folder" / "x.pdf")
    assert district.rows("SELECT * FROM letter_status ORDER BY id") == before
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(AppError, match="无法创建文件夹|不是文件夹"):
        letters.generate_separate(district, 2026, blocker / "sub")


def test_separate_files_are_named_by_unit(district, tmp_path):
    result = letters.generate_separate(district, 2026, tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(f"{n}.pdf" for n in result.letters)
    assert "区城管局.pdf" in names
    first = PdfReader(tmp_path / "out" / "区城管局.pdf")
    assert PAGE_NUMBER.findall(first.pages[0].extract_text())[-1] == "1"
    assert letters.safe_file_name('a/b:c*?"<>|') == "a_b_c______"


def test_letter_pages_render_in_process(district, tmp_path):
    from core.pdf import render

    out = tmp_path / "one.pdf"
    letters.generate_letters(district, 2026, out, unit_ids=[unit_id(district, "区城管局")], record=False)
    files_before = set(tmp_path.rglob("*"))
    images = list(render.render_pages(out, dpi=40))
    assert len(images) == len(PdfReader(out).pages)
    assert images[0].size[1] > images[0].size[0]  # portrait
    assert images[0].convert("L").getextrema()[0] < 100  # something dark (text) was drawn
    assert set(tmp_path.rglob("*")) == files_before  # no picture files left behind


def test_framework_pdf_is_landscape_with_every_standard_and_its_units(district, tmp_path):
    out = tmp_path / "fw.pdf"
    pages = framework.export_framework_pdf(district, out, current(district))
    reader = PdfReader(out)
    assert pages == len(reader.pages)
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
    text = squeeze(pdf_text(out))
    for s in framework.standards(district, current(district)):
        assert s["code"] in text
    assert "牵头单位" in text and "配合单位" in text and "区城管局" in text


# --- signing ----------------------------------------------------------------------------------------

def test_signing_flow_and_audit(district):
    u = unit_id(district, "区城管局")
    letters.set_state(district, 2026, u, "已印发", on="2026-03-01")
    letters.set_state(district, 2026, u, "已签订", on="2026年3月9日", signed_by="李 明")
    status = letters.get_status(district, 2026, u)
    assert (status["state"], status["issued_on"], status["signed_on"], status["signed_by"]) == \
        ("已签订", "2026-03-01", "2026-03-09", "李 明")
    row = next(r for r in letters.status_rows(district, 2026, current(district)) if r["unit_id"] == u)
    assert row["state"] == "已签订" and row["signed_by"] == "李 明"
    assert [h["action"] for h in audit.history(district, "letter_status", status["id"])][-2:] == \
        ["责任书已印发", "责任书已签订"]
    letters.set_state(district, 2026, u, "未印发")
    assert letters.get_status(district, 2026, u)["signed_on"] == ""


def test_a_mark_on_letters_a_colleague_marked_since_is_refused_for_all_of_them(district):
    from core.errors import EditConflict

    a, b = unit_id(district, "区城管局"), unit_id(district, "区公安分局")
    letters.set_states(district, 2026, [a, b], "已印发", on="2026-03-01")
    shown = {r["unit_id"]: r["version"] for r in letters.status_rows(district, 2026, current(district))}
    letters.set_state(district, 2026, a, "已签订", on="2026-03-09", signed_by="李明",  # a colleague, first
                      expected_version=shown[a])
    with pytest.raises(EditConflict) as refused:  # the list still showing both 已印发
        letters.set_states(district, 2026, [a, b], "已签订", on="2026-03-10", signed_by="王刚",
                           expected_versions={a: shown[a], b: shown[b]})
    assert f"已被{district.operator}于 " in refused.value.message_zh
    assert letters.get_status(district, 2026, a)["signed_by"] == "李明"
    assert letters.get_status(district, 2026, b)["state"] == "已印发"  # one refused, none marked
    fresh = {r["unit_id"]: r["version"] for r in letters.status_rows(district, 2026, current(district))}
    letters.set_states(district, 2026, [b], "已签订", on="2026-03-10", signed_by="王刚", expected_versions=fresh)
    assert letters.get_status(district, 2026, b)["signed_by"] == "王刚"


def test_signing_flow_with_scan_and_audit(district, tmp_path):
    u = unit_id(district, "区城管局")
    letters.set_state(district, 2026, u, "已印发", on="2026-03-01")
    letters.set_state(district, 2026, u, "已签订", on="2026年3月9日", signed_by="李 明")
    status = letters.get_status(district, 2026, u)
    assert (status["state"], status["issued_on"], status["signed_on"], status["signed_by"]) == \
        ("已签订", "2026-03-01", "2026-03-09", "李 明")
    scan = tmp_path / "签订扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned")
    letters.attach_signed_copy(district, 2026, u, scan)
    stored = attachments.list_attachments(district, "letter_status", status["id"])
    assert [a["original_name"] for a in stored] == ["签订扫描件.pdf"] and stored[0]["role"] == letters.SCAN_ROLE
    row = next(r for r in letters.status_rows(district, 2026, current(district)) if r["unit_id"] == u)
    assert row["scan_count"] == 1 and row["state"] == "已签订"
    assert [h["action"] for h in audit.history(district, "letter_status", status["id"])][-3:] == \
        ["责任书已印发", "责任书已签订", "添加附件"]
    letters.set_state(district, 2026, u, "未印发")
    assert letters.get_status(district, 2026, u)["signed_on"] == ""


@pytest.mark.parametrize("state, kwargs, message", [
    ("已签订", {"on": "2026-03-09"}, "签字人"),
    ("已签订", {"on": "明天", "signed_by": "李明"}, "不是有效的日期"),
    ("作废", {}, "未知的签订状态"),
])
def test_bad_marks_are_refused_and_nothing_written(district, state, kwargs, message):
    u = unit_id(district, "区城管局")
    before = district.rows("SELECT * FROM letter_status WHERE unit_id = :unit ORDER BY id", {"unit": u})
    with pytest.raises(AppError, match=message):
        letters.set_state(district, 2026, u, state, **kwargs)
    assert district.rows("SELECT * FROM letter_status WHERE unit_id = :unit ORDER BY id", {"unit": u}) == before


def test_signed_before_issued_is_refused(district):
    u = unit_id(district, "区委组织部")
    letters.set_state(district, 2026, u, "已印发", on="2026-03-10")
    with pytest.raises(AppError, match="早于印发日期"):
        letters.set_state(district, 2026, u, "已签订", on="2026-03-01", signed_by="张卫东")


def test_set_states_is_all_or_nothing(district):
    ids = [unit_id(district, "区委组织部"), unit_id(district, "区司法局")]
    with pytest.raises(AppError):
        letters.set_states(district, 2026, ids, "已签订", on="2026-03-01", signed_by="")
    assert all(letters.get_status(district, 2026, i)["state"] == "未印发" for i in ids)
    letters.set_states(district, 2026, ids, "已印发", on="2026-03-01")
    assert all(letters.get_status(district, 2026, i)["state"] == "已印发" for i in ids)


def test_unsigned_count_and_export(district, tmp_path):
    edition_id = current(district)
    with_tasks = [r for r in letters.status_rows(district, 2026, edition_id) if r["state"] != "无任务"]
    signed = {r["unit_id"] for r in with_tasks if r["state"] == "已签订"}
    assert letters.unsigned_count(district, 2026) == len(with_tasks) - len(signed)
    letters.set_state(district, 2026, with_tasks[-1]["unit_id"], "已签订", on="2026-03-01", signed_by="甲")
    assert letters.unsigned_count(district, 2026) == len(with_tasks) - len(signed) - 1
    out = tmp_path / "unsigned.xlsx"
    n = letters.export_status(district, out, 2026, edition_id, unsigned_only=True)
    sheet = load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == letters.STATUS_HEADERS
    assert len(values) - 1 == n == letters.unsigned_count(district, 2026)
    assert all(v[7] in ("未印发", "已印发") for v in values[1:])
    assert sheet.freeze_panes == "A2"


def test_demo_has_signed_issued_and_changed_units(district):
    found = letters.status_rows(district, 2026, current(district))
    states = {r["state"] for r in found}
    assert {"已签订", "已印发", "未印发", "无任务"} <= states
    assert any(r["changed"] for r in found)


def test_the_state_filters_keep_what_their_names_say(district):
    found = letters.status_rows(district, 2026, current(district))
    kept = {f.label: [r["name"] for r in found if f.keeps(r)] for f in letters.STATE_FILTERS}
    assert list(kept) == ["全部单位", "未签订", "未印发", "已印发", "已签订", "分解表有变化", "无任务"]
    assert len(kept["全部单位"]) == len(units.list_units(district))
    assert sorted(kept["未签订"]) == sorted(kept["未印发"] + kept["已印发"])
    assert len(kept["未签订"]) == letters.unsigned_count(district, 2026)
    assert "区政协办公室" in kept["无任务"] and "区政协办公室" not in kept["未签订"]
    from core.demo import read_demo
    assert sorted(kept["分解表有变化"]) == sorted(read_demo()["letters"]["changed_since_generation"])
    assert [f.key for f in letters.STATE_FILTERS if f.needs_changes] == ["changed"]
    assert letters.state_filter("unsigned").label == "未签订"


def test_counts_of_units_with_letters_and_signed(district):
    edition_id = current(district)
    found = letters.with_letters(letters.status_rows(district, 2026, edition_id))
    assert letters.units_with_tasks_count(district, edition_id) == len(found)
    assert letters.signed_count(district, 2026) == letters.signed_of(found) > 0
    assert letters.signed_count(district, 2025) == 0


# --- change detection ---------------------------------------------------------------------------------

def test_regenerating_after_the_breakdown_changed_shows_what_changed(db, tmp_path):
    load_district(db)
    edition_id = current(db)
    u = unit_id(db, "区城管局")
    letters.generate_letters(db, 2026, tmp_path / "a.pdf", unit_ids=[u])
    assert letters.unit_changes(db, 2026, u, edition_id)["any"] is False
    tasks = framework.unit_standards(db, u, edition_id)
    first, dropped = tasks[0], tasks[1]
    framework.update_node(db, first["id"], {"points": 9})
    refs = framework.assignment_refs(db, dropped["id"])
    framework.set_assignments(db, dropped["id"], [r[:2] for r in refs["lead"] if r[1] != u],
                              [r[:2] for r in refs["support"] if r[1] != u])
    diff = letters.unit_changes(db, 2026, u, edition_id)
    assert diff["removed"] == [dropped["code"]]
    assert diff["changed"][0]["code"] == first["code"]
    text = letters.describe_changes(diff)
    assert f"减少 1 项：{dropped['code']}" in text and "分值" in text and "→ 9" in text
    row = next(r for r in letters.status_rows(db, 2026, edition_id) if r["unit_id"] == u)
    assert row["changed"] == "有变化" and row["change_text"] == text
    again = letters.generate_letters(db, 2026, tmp_path / "b.pdf", unit_ids=[u])
    assert again.changes == {"区城管局": text}
    assert letters.unit_changes(db, 2026, u, edition_id)["any"] is False


def test_preview_does_not_move_the_snapshot(district, tmp_path):
    u = unit_id(district, "区城管局")
    before = letters.get_status(district, 2026, u)["snapshot"]
    letters.generate_letters(district, 2026, tmp_path / "p.pdf", unit_ids=[u], record=False)
    assert letters.get_status(district, 2026, u)["snapshot"] == before


def test_merging_units_keeps_the_signing_records(district):
    a, b = unit_id(district, "区委组织部"), unit_id(district, "区司法局")
    letters.set_state(district, 2026, a, "已签订", on="2026-03-01", signed_by="甲")
    letters.status_id(district, 2026, b)
    units.merge_units(district, [a], b)
    assert letters.get_status(district, 2026, b)["state"] == "已签订"


# --- command line -----------------------------------------------------------------------------------

def run_cli(data_dir, *args):
    from conftest import ROOT
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data", str(data_dir.root), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=300)


@pytest.fixture
def cli_demo(data_dir):
    assert run_cli(data_dir, "demo").returncode == 0
    return data_dir


def test_cli_letters_one_pdf_and_separate(cli_demo, tmp_path):
    done = run_cli(cli_demo, "letters", "--year", "2026", "--out", str(tmp_path / "all.pdf"),
                   "--unit", "区城管局", "--unit", "文明办", "--unit", "区政协办公室")
    assert done.returncode == 0, done.stderr
    assert "已生成 2 份责任书" in done.stdout and "区政协办公室" in done.stdout
    assert "区城管局：新增 1 项：6.2.2" in done.stdout  # the demo's 分解表 changed after February
    assert "区城管局" in squeeze(pdf_text(tmp_path / "all.pdf"))
    done = run_cli(cli_demo, "letters", "--year", "2026", "--separate", str(tmp_path / "sep"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sep" / "区城管局.pdf").exists()
    assert "没有任务" in done.stdout and "区政协办公室" in done.stdout
    assert not (tmp_path / "sep" / "区政协办公室.pdf").exists()


def test_cli_refusals_exit_2(cli_demo, tmp_path):
    done = run_cli(cli_demo, "letters", "--year", "2026", "--out", str(tmp_path / "nope" / "x.pdf"))
    assert done.returncode == 2 and "无法写入文件" in done.stderr
    done = run_cli(cli_demo, "letters", "--year", "2026", "--out", str(tmp_path / "x.pdf"), "--unit", "不存在的局")
    assert done.returncode == 2 and "找不到责任单位" in done.stderr
    done = run_cli(cli_demo, "letters-mark", "--unit", "区城管局", "--state", "已签订")
    assert done.returncode == 2 and "签字人" in done.stderr


def test_cli_status_mark_and_framework_pdf(cli_demo, tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 signed")
    done = run_cli(cli_demo, "letters-mark", "--year", "2026", "--unit", "区委组织部", "--state", "已签订",
                   "--date", "2026-03-02", "--signer", "张卫东", "--scan", str(scan))
    assert done.returncode == 0, done.stderr
    done = run_cli(cli_demo, "letters-status", "--year", "2026", "--out", str(tmp_path / "s.xlsx"))
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith("区委组织部"))
    assert "已签订" in line and "张卫东" in line
    values = list(load_workbook(tmp_path / "s.xlsx").active.iter_rows(values_only=True))
    row = next(v for v in values if v[1] == "区委组织部")
    assert row[7] == "已签订" and row[11] == "有"
    done = run_cli(cli_demo, "export-framework", str(tmp_path / "fw.pdf"))
    assert done.returncode == 0, done.stderr
    assert float(PdfReader(tmp_path / "fw.pdf").pages[0].mediabox.width) > 800


def test_batch_reports_progress_and_cancel_records_nothing(district, tmp_path):
    from core.errors import Cancelled

    seen = []
    letters.generate_letters(district, 2026, tmp_path / "p.pdf", record=False,
                                 progress=lambda done, total, text: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 1
    before = district.rows("SELECT * FROM letter_status ORDER BY id")
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        letters.generate_separate(district, 2026, tmp_path / "sep", cancel=cancel)
    assert district.rows("SELECT * FROM letter_status ORDER BY id") == before


def test_cli_unsigned_list_prints_the_true_summary(cli_demo):
    done = run_cli(cli_demo, "letters-status", "--year", "2026")
    summary = done.stdout.splitlines()[-1]
    done = run_cli(cli_demo, "letters-mark", "--year", "2026", "--unit", "区委组织部", "--state", "已签订",
                   "--date", "2026-03-02", "--signer", "张卫东")
    assert done.returncode == 0, done.stderr
    done = run_cli(cli_demo, "letters-status", "--year", "2026", "--unsigned")
    assert done.returncode == 0, done.stderr
    assert not any(l.startswith("区委组织部") for l in done.stdout.splitlines())
    total, signed = (int(n) for n in re.search(r"(\d+) 个单位，已签订 (\d+) 个", summary).groups())
    assert done.stdout.splitlines()[-1] == (f"2026年度：{total} 个单位，已签订 {signed + 1} 个，"
                                            f"未签订 {total - signed - 1} 个。")



def test_issue_and_signing_dates_are_not_in_the_future(district, monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-03-10")
    uid = units.resolve_one(district, "区城管局")
    with pytest.raises(AppError) as future:
        letters.set_state(district, 2026, uid, "已印发", on="2026-03-11")
    assert str(future.value) == "印发日期 2026-03-11 晚于今天（2026-03-10），还没有到这一天，请检查日期。"
    letters.set_state(district, 2026, uid, "已印发", on="2026-03-02")
    with pytest.raises(AppError, match="签订日期 2026-04-01 晚于今天（2026-03-10）"):
        letters.set_state(district, 2026, uid, "已签订", on="2026-04-01", signed_by="王五")
    with pytest.raises(AppError, match="签订日期 2026-03-01 早于印发日期 2026-03-02"):
        letters.set_state(district, 2026, uid, "已签订", on="2026-03-01", signed_by="王五")
    assert letters.get_status(district, 2026, uid)["state"] == "已印发"
