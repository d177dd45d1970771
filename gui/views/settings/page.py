"""设置: the office's details, the current year and edition, editions, and the word lists (常规), and
where this PC finds the ledger (共享台账, shared_tab.py)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QPushButton, QScrollArea, QSpinBox,
                               QTabWidget, QVBoxLayout, QWidget)

from core import clock, demo, framework, settings
from gui import dialogs, theme
from gui.models.table import Col, RowsTableModel
from gui.views.base import Page
from gui.views.settings.shared_tab import SharedLedgerTab
from gui.widgets.tables import make_table, selected_rows

EDITION_COLUMNS = [Col("name", "版本名称", width=160), Col("year", "年度", width=60),
                   Col("title", "测评体系", width=240), Col("standard_count", "标准数", align_right=True, width=60),
                   Col("current", "当前", fmt=lambda v: "✔ 当前" if v else "", width=60)]


class SettingsPage(Page):
    key = "settings"
    title = "设置"
    areas = ("settings", "framework")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        self.tabs.addTab(scroll, "常规")
        self.shared_tab = SharedLedgerTab(ctx, window)
        self.tabs.addTab(self.shared_tab, "共享台账")

        office = QGroupBox("单位信息与年度")
        form = QFormLayout(office)
        self.district_name = QLineEdit()
        self.office_name = QLineEdit()
        self.issuing_body = QLineEdit()
        self.doc_code = QLineEdit()
        self.doc_code.setPlaceholderText("例如 X创城督，文号形如 X创城督〔2026〕15号")
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.edition = QComboBox()
        self.next_date = QDateEdit()
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat("yyyy-MM-dd")
        self.next_date.setSpecialValueText("未设定")
        self.next_date.setMinimumDate(QDate(2000, 1, 1))
        form.addRow("区名称：", self.district_name)
        form.addRow("办公室名称：", self.office_name)
        form.addRow("发文机关：", self.issuing_body)
        form.addRow("机关代字：", self.doc_code)
        self.bulletin_code = QLineEdit()
        self.bulletin_code.setPlaceholderText("例如 X创城通，通报文号形如 X创城通〔2026〕3号")
        form.addRow("通报机关代字：", self.bulletin_code)
        form.addRow("当前年度：", self.year)
        form.addRow("当前版本：", self.edition)
        form.addRow("下次测评日期：", self.next_date)
        save = QPushButton("保存设置")
        save.clicked.connect(self.save)
        form.addRow("", save)
        layout.addWidget(office)

        archive = QGroupBox("归档（归档文件目录与档案盒，DA/T 22-2015）")
        a_form = QFormLayout(archive)
        self.fonds_code = QLineEdit()
        self.fonds_code.setPlaceholderText("档案馆给本单位的全宗号，例如 Z001")
        self.retention = QComboBox()
        self.retention.addItems(list(settings.RETENTION_CODES))
        self.org_code = QLineEdit()
        self.org_code.setPlaceholderText("可不填；例如 BGS，档号形如 Z001-WS·2026-Y-BGS-0001")
        a_form.addRow("全宗号：", self.fonds_code)
        a_form.addRow("保管期限：", self.retention)
        a_form.addRow("机构代码：", self.org_code)
        save_archive = QPushButton("保存归档设置")
        save_archive.clicked.connect(self.save_archive)
        a_form.addRow("", save_archive)
        layout.addWidget(archive)
        layout.addWidget(self._build_remind())

        editions = QGroupBox("测评体系版本")
        e_layout = QVBoxLayout(editions)
        self.edition_model = RowsTableModel(EDITION_COLUMNS, self)
        self.edition_table = make_table(self.edition_model, state_key="settings/editions")
        self.edition_table.setMinimumHeight(theme.scaled(150))
        e_layout.addWidget(self.edition_table)
        e_bar = QHBoxLayout()
        for text, slot in [("新建空白版本…", self.new_edition), ("重命名…", self.rename_edition),
                           ("设为当前", self.make_current), ("删除版本", self.delete_edition)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            e_bar.addWidget(b)
        e_bar.addStretch()
        e_layout.addLayout(e_bar)
        layout.addWidget(editions)

        vocab_box = QGroupBox("词表（可编辑，每行一项）")
        v_layout = QHBoxLayout(vocab_box)
        self.vocab_lists = {}
        for kind, (label, _defaults) in settings.VOCABULARIES.items():
            col = QVBoxLayout()
            group = QGroupBox(label)
            g_layout = QVBoxLayout(group)
            listing = QListWidget()
            listing.setMinimumHeight(theme.scaled(180))
            self.vocab_lists[kind] = listing
            g_layout.addWidget(listing)
            row = QHBoxLayout()
            add = QPushButton("添加…")
            add.clicked.connect(lambda _=False, k=kind: self.add_vocab(k))
            remove = QPushButton("删除")
            remove.clicked.connect(lambda _=False, k=kind: self.remove_vocab(k))
            row.addWidget(add)
            row.addWidget(remove)
            g_layout.addLayout(row)
            col.addWidget(group)
            v_layout.addLayout(col)
        layout.addWidget(vocab_box)

        fonts_box = QGroupBox("公文字体（PDF 中各用途使用的字体，字体总是嵌入文件）")
        f_form = QFormLayout(fonts_box)
        self.font_combos, self.font_notes = {}, {}
        for role, label in settings.FONT_ROLES.items():
            combo = QComboBox()
            combo.setMinimumWidth(theme.scaled(420))
            self.font_combos[role] = combo
            note = QLabel()
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.font_notes[role] = note
            cell = QVBoxLayout()
            cell.addWidget(combo)
            cell.addWidget(note)
            f_form.addRow(label + "：", cell)
        save_fonts = QPushButton("保存字体设置")
        save_fonts.clicked.connect(self.save_fonts)
        f_form.addRow("", save_fonts)
        layout.addWidget(fonts_box)

        display = QGroupBox("显示与示例数据")
        d_form = QFormLayout(display)
        self.font_scale = QDoubleSpinBox()
        self.font_scale.setRange(*theme.SCALE_RANGE)
        self.font_scale.setSingleStep(0.1)
        self.font_scale.setSuffix(" 倍")
        self.font_scale.setValue(theme.font_scale())
        self.font_scale.setKeyboardTracking(False)  # apply 1.5 once, not 1 on the way to it
        self.font_scale.valueChanged.connect(theme.set_font_scale)
        d_form.addRow("界面字号：", self.font_scale)
        self.demo_button = QPushButton("加载示例数据")
        self.demo_button.clicked.connect(self.load_demo)
        d_form.addRow("示例数据：", self.demo_button)
        layout.addWidget(display)
        layout.addStretch()

    def _build_remind(self) -> QGroupBox:
        box = QGroupBox("今日催办")
        form = QFormLayout(box)
        self.remind_spins = {}
        for key, suffix in (("remind_lead_workdays", " 个工作日内到期即催办"), ("remind_unsigned_days", " 天后仍未签收即催办"),
                            ("remind_package_days", " 天后工作包仍未交回即催办")):
            spin = QSpinBox()
            spin.setRange(*settings.REMIND_RANGES[key])
            spin.setSuffix(suffix)
            self.remind_spins[key] = spin
            form.addRow(settings.SETTINGS[key][0] + "：", spin)
        save = QPushButton("保存催办设置")
        save.clicked.connect(self.save_remind)
        form.addRow("", save)
        return box

    def save_remind(self) -> None:
        values = {key: spin.value() for key, spin in self.remind_spins.items()}
        if self.run_change("保存催办设置", settings.set_many, values):
            self.window_.statusBar().showMessage("催办设置已保存，今日催办按新的天数列出。", 5000)

    def refresh(self) -> None:
        super().refresh()
        values = settings.get_all(self.db)
        for key, spin in self.remind_spins.items():
            spin.setValue(values[key])
        self.district_name.setText(values["district_name"])
        self.office_name.setText(values["office_name"])
        self.issuing_body.setText(values["issuing_body"])
        self.doc_code.setText(values["doc_code"])
        self.bulletin_code.setText(values["bulletin_code"])
        self.fonds_code.setText(values["fonds_code"])
        self.retention.setCurrentText(values["retention"])
        self.org_code.setText(values["org_code"])
        self.year.setValue(values["current_year"])
        self.edition.clear()
        self.edition.addItem("（无）", None)
        for e in framework.list_editions(self.db):
            self.edition.addItem(e["name"], e["id"])
        self.edition.setCurrentIndex(max(self.edition.findData(framework.current_edition_id(self.db)), 0))
        if values["next_assessment_date"]:
            self.next_date.setDate(QDate.fromString(values["next_assessment_date"], "yyyy-MM-dd"))
        else:
            self.next_date.setDate(self.next_date.minimumDate())
        self.edition_model.set_rows(framework.list_editions(self.db))
        for kind, listing in self.vocab_lists.items():
            listing.clear()
            listing.addItems(settings.vocab(self.db, kind))
        self.demo_button.setEnabled(demo.is_empty(self.db))
        from core.pdf.fonts import available_font_files

        chosen = values["pdf_fonts"]
        available = available_font_files()
        for role, combo in self.font_combos.items():
            combo.clear()
            combo.addItem("自动（优先使用系统字体，否则用程序自带字体）", "")
            for path in available.get(role, []):
                combo.addItem(path, path)
            if chosen.get(role) and combo.findData(chosen[role]) < 0:
                combo.addItem(chosen[role], chosen[role])
            combo.setCurrentIndex(max(combo.findData(chosen.get(role, "")), 0))
        for role, used in settings.font_usage(self.db).items():
            note = self.font_notes[role]
            note.setText(f"正在使用：{used['path']}" + (f"\n⚠ {used['warning']}" if used["warning"] else ""))
            note.setStyleSheet("color: #b3261e;" if used["warning"] else "")

    def save(self) -> None:
        next_date = "" if self.next_date.date() == self.next_date.minimumDate() else self.next_date.date().toString("yyyy-MM-dd")
        values = {"district_name": self.district_name.text().strip(), "office_name": self.office_name.text().strip(),
                  "issuing_body": self.issuing_body.text().strip(), "doc_code": self.doc_code.text().strip(),
                  "bulletin_code": self.bulletin_code.text().strip(), "current_year": self.year.value(),
                  "next_assessment_date": next_date}
        if self.edition.currentData():
            values["current_edition_id"] = self.edition.currentData()
        if self.run_change("保存设置", settings.set_many, values):
            self.window_.statusBar().showMessage("设置已保存。", 3000)

    def save_archive(self) -> None:
        values = {"fonds_code": self.fonds_code.text().strip(), "retention": self.retention.currentText(),
                  "org_code": self.org_code.text().strip()}
        if self.run_change("保存归档设置", settings.set_many, values):
            self.window_.statusBar().showMessage("归档设置已保存，之后生成的归档文件目录和档案盒标签将使用它们。", 5000)

    def save_fonts(self) -> None:
        choice = {role: combo.currentData() for role, combo in self.font_combos.items() if combo.currentData()}
        if self.run_change("保存字体设置", settings.set, "pdf_fonts", choice):
            self.window_.statusBar().showMessage("字体设置已保存，之后生成的 PDF 将使用所选字体。", 5000)

    def _selected_edition(self):
        rows = selected_rows(self.edition_table)
        if not rows:
            dialogs.show_info(self, "测评体系版本", "请先在列表中选中一个版本。")
        return rows[0] if rows else None

    def new_edition(self) -> None:
        name, ok = QInputDialog.getText(self, "新建版本", "版本名称：", text=f"{clock.today().year}年度")
        if ok and name.strip():
            self.run_change("新建版本", framework.create_edition, name)

    def rename_edition(self) -> None:
        e = self._selected_edition()
        if not e:
            return
        name, ok = QInputDialog.getText(self, "重命名版本", "版本名称：", text=e["name"])
        if ok:
            self.run_change("重命名版本", framework.update_edition, e["id"], name, e["year"], e["title"])

    def make_current(self) -> None:
        e = self._selected_edition()
        if e:
            self.run_change("设为当前版本", framework.set_current_edition, e["id"])

    def delete_edition(self) -> None:
        e = self._selected_edition()
        if e and dialogs.confirm(self, "删除版本", f"删除版本“{e['name']}”及其全部测评标准和责任分工？此操作不可撤销。", "删除"):
            self.run_change("删除版本", framework.delete_edition, e["id"])

    def add_vocab(self, kind: str) -> None:
        value, ok = QInputDialog.getText(self, "添加", f"新的{settings.VOCABULARIES[kind][0]}：")
        if ok and value.strip():
            values = settings.vocab(self.db, kind) + [value.strip()]
            self.run_change("修改词表", settings.set_vocab, kind, values)

    def remove_vocab(self, kind: str) -> None:
        item = self.vocab_lists[kind].currentItem()
        if item and dialogs.confirm(self, "删除", f"从词表中删除“{item.text()}”？已使用它的记录不受影响。", "删除"):
            values = [v for v in settings.vocab(self.db, kind) if v != item.text()]
            self.run_change("修改词表", settings.set_vocab, kind, values)

    def load_demo(self) -> None:
        if dialogs.confirm(self, "加载示例数据", "把示例区县的责任单位和测评体系加载到当前数据文件夹？", "加载"):
            self.run_change("加载示例数据", demo.load_demo)
