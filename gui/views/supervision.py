"""督查督办: the problem list with a keyboard-fast entry form, 督办通知单, 挂牌督办, 点位 and 通报."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QDateEdit, QDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton,
                               QSpinBox, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from core import settings, sites, supervision, units, workdays
from core.errors import AppError
from core.supervision import FindingFilter
from core.text import split_multi
from gui.widgets.attachments_panel import AttachmentsPanel
from gui.dialogs import accept_buttons, confirm, open_file, save_file, show_error, show_info
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel
from gui.theme import set_scaled_style
from gui.ui_state import remember
from gui.views.base import Page
from gui.widgets.tables import make_table, selected_rows

LIST_LIMIT = 500  # rows shown at once; the count and the exports always cover every match
OVERDUE_COLOUR, FLAG_BACKGROUND = QColor("#c00000"), QColor("#fde7d9")

FINDING_COLUMNS = [
    Col("id", "编号", align_right=True, width=56), Col("found_on", "发现日期", width=92), Col("source", "来源", width=72),
    Col("site", "点位", width=120), Col("site_type", "点位类型", width=80), Col("locality", "属地", width=110),
    Col("standard_code", "标准", width=52), Col("description", "问题描述", width=260), Col("unit", "责任单位", width=120),
    Col("severity", "程度", width=44), Col("status", "状态", width=60), Col("due_on", "整改期限", width=92),
    Col("supervision_count", "督办", align_right=True, width=44), Col("notice_number", "通知单文号", width=150),
    Col("flag_reasons", "挂牌原因"),
]
NOTICE_COLUMNS = [
    Col("number", "文号", width=160), Col("unit", "责任单位", width=150), Col("issued_on", "交办日期", width=92),
    Col("due_on", "整改期限", width=92), Col("finding_count", "问题数", align_right=True, width=56),
    Col("round", "督办轮次", align_right=True, width=64), Col("state", "状态", width=60),
    Col("receipt_signer", "签收人", width=80), Col("receipt_at", "签收时间", width=92), Col("void_reason", "作废原因"),
]
OWES_COLUMNS = [
    Col("unit", "责任单位", width=170), Col("open", "未销号", align_right=True, width=60),
    Col("overdue", "逾期", align_right=True, width=50), Col("flagged", "挂牌", align_right=True, width=50),
    Col("waiting", "待交办", align_right=True, width=60), Col("awaiting_review", "待复查", align_right=True, width=60),
    Col("next_due", "最近期限"),
]
SITE_COLUMNS = [
    Col("name", "点位名称", width=150), Col("site_type", "点位类型", width=100), Col("address", "地址", width=200),
    Col("locality", "属地", width=130), Col("unit_names", "默认责任单位", width=200),
    Col("finding_count", "问题数", align_right=True, width=60),
    Col("retired", "状态", fmt=lambda v: "已停用" if v else "在用"),
]
HISTORY_COLUMNS = [
    Col("on_date", "日期", width=90), Col("action", "步骤", width=110), Col("to_status", "状态", width=60),
    Col("person", "人员", width=90), Col("note", "说明"),
]


class FindingsModel(RowsTableModel):
    """Overdue findings in red, 挂牌 ones on an orange ground, wherever a finding list is shown."""

    def data(self, index, role=Qt.DisplayRole):
        if index.isValid() and 0 <= index.row() < len(self.rows()):
            row = self.row_at(index.row())
            if role == Qt.ForegroundRole and row.get("overdue"):
                return QBrush(OVERDUE_COLOUR)
            if role == Qt.BackgroundRole and row.get("flagged"):
                return QBrush(FLAG_BACKGROUND)
        return super().data(index, role)


def _qdate(iso_or_date) -> QDate:
    d = iso_or_date if isinstance(iso_or_date, dt.date) else dt.date.fromisoformat(iso_or_date)
    return QDate(d.year, d.month, d.day)


def _pydate(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(_qdate(value or dt.date.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _completing_combo(items: list[str], first: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.NoInsert)
    if first is not None:
        combo.addItem(first)
    combo.addItems(items)
    completer = QCompleter(items, combo)
    completer.setFilterMode(Qt.MatchContains)
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    combo.setCompleter(completer)
    return combo


class FormDialog(QDialog):
    """A small form of labelled fields with 确定/取消 (签收, 反馈, 复查, 作废 …)."""

    def __init__(self, parent, title: str, fields: list[tuple[str, QWidget]], hint: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        if hint:
            label = QLabel(hint)
            label.setWordWrap(True)
            form.addRow(label)
        for text, widget in fields:
            form.addRow(text, widget)
        buttons = accept_buttons(self)
        form.addRow(buttons)
        self.resize(460, 0)


class EntryForm(QGroupBox):
    """录入问题: every field reachable by Tab, Ctrl+Enter saves and keeps date, source and 点位 for
    the next problem at the same place."""

    def __init__(self, page):
        super().__init__("录入问题（Tab 切换，Ctrl+Enter 保存）")
        self.page = page
        form = QFormLayout(self)
        self.found_on = _date_edit()
        self.source = QComboBox()
        self.source.addItems(supervision.SOURCES)
        self.site = _completing_combo([])
        self.site.lineEdit().setPlaceholderText("选择或输入点位（新点位将加入点位库）")
        self.site_type = QComboBox()
        self.standard = QLineEdit()
        self.standard.setPlaceholderText("标准编号或关键词（可不填）")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(64)
        self.unit = _completing_combo([], "（按点位或标准默认）")
        self.support = QLineEdit()
        self.support.setPlaceholderText("多个单位用“、”分隔")
        self.severity = QComboBox()
        self.severity.addItems(supervision.SEVERITIES)
        self.limit_days = QSpinBox()
        self.limit_days.setRange(0, 365)
        self.limit_days.setSpecialValueText("按严重程度默认")
        self.limit_days.setSuffix(" 个工作日")
        self.on_spot = QCheckBox("现场整改（附整改后照片，无需交办）")
        photos = QHBoxLayout()
        self.photo_buttons = {}
        self.photo_paths: dict[str, list[str]] = {"before": [], "after": []}
        for role, text in (("before", "整改前照片…"), ("after", "整改后照片…")):
            b = QPushButton(text)
            b.setAutoDefault(False)
            b.clicked.connect(lambda _=False, r=role: self.pick_photos(r))
            self.photo_buttons[role] = b
            photos.addWidget(b)
        self.photo_label = QLabel("")
        photos.addWidget(self.photo_label, 1)
        self.save_button = QPushButton("保存问题")
        self.save_button.clicked.connect(self.save)
        for label, widget in [("发现日期：", self.found_on), ("来源：", self.source), ("点位：", self.site),
                              ("新点位类型：", self.site_type), ("测评标准：", self.standard),
                              ("问题描述：", self.description), ("责任单位：", self.unit), ("配合单位：", self.support),
                              ("严重程度：", self.severity), ("整改时限：", self.limit_days)]:
            form.addRow(label, widget)
        form.addRow(self.on_spot)
        form.addRow(photos)
        form.addRow(self.save_button)
        self.site.currentTextChanged.connect(self._site_changed)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.save, context=Qt.WidgetWithChildrenShortcut)

    def reload(self, db) -> None:
        site_names = [s["name"] for s in sites.list_sites(db)]
        current = self.site.currentText()
        self.site.clear()
        self.site.addItems(site_names)
        self.site.completer().model().setStringList(site_names)
        self.site.setEditText(current)
        self.site_type.clear()
        self.site_type.addItems(settings.vocab(db, "site_type"))
        self.standards = {f"{s['code']} {s['title']}": s["id"] for s in supervision.standard_choices(db)}
        completer = QCompleter(list(self.standards), self.standard)
        completer.setFilterMode(Qt.MatchContains)
        self.standard.setCompleter(completer)
        unit_names = [u["name"] for u in units.list_units(db)]
        self.unit.clear()
        self.unit.addItem("（按点位或标准默认）")
        self.unit.addItems(unit_names)
        self.unit.completer().model().setStringList(unit_names)
        self._site_changed(self.site.currentText())

    def _site_changed(self, text: str) -> None:
        known = bool(text.strip()) and sites.find_site(self.page.db, text) is not None
        self.site_type.setEnabled(not known)

    def pick_photos(self, role: str) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self, "选择照片", "", "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)")
        if paths:
            self.photo_paths[role] = paths
            self._show_photo_count()

    def _show_photo_count(self) -> None:
        b, a = len(self.photo_paths["before"]), len(self.photo_paths["after"])
        self.photo_label.setText(f"整改前 {b} 张，整改后 {a} 张" if a or b else "")

    def values(self) -> dict:
        db = self.page.db
        name = self.site.currentText().strip()
        if not name:
            raise AppError("请选择点位，或输入新点位的名称。")
        site_id = sites.find_site(db, name)
        standard_text = self.standard.text().strip()
        node_id = None
        if standard_text:
            node_id = self.standards.get(standard_text) or supervision.find_standard(db, standard_text.split()[0])
            if node_id is None:
                raise AppError(f"找不到测评标准“{standard_text}”，请从下拉提示中选择，或清空此栏。")
        unit_text = self.unit.currentText().strip()
        unit_id = None if not unit_text or unit_text.startswith("（") else units.resolve_one(db, unit_text)
        support_ids = [units.resolve_one(db, n) for n in split_multi(self.support.text())]
        return {"found_on": _pydate(self.found_on), "source": self.source.currentText(), "site_id": site_id,
                "site_name": name, "node_id": node_id, "description": self.description.toPlainText(),
                "unit_id": unit_id, "support_ids": support_ids, "severity": self.severity.currentText(),
                "limit_days": self.limit_days.value() or None, "fixed_on_spot": self.on_spot.isChecked()}

    def save(self) -> int | None:
        db = self.page.db
        try:
            data = self.values()
            if data["site_id"] is None:
                data["site_id"] = supervision.site_for_entry(db, data["site_name"], self.site_type.currentText())
            data.pop("site_name")
            finding_id = supervision.create_finding(db, data, self.photo_paths["before"], self.photo_paths["after"])
        except AppError as exc:
            show_error(self, "录入问题", exc)
            return None
        self.description.clear()
        self.standard.clear()
        self.support.clear()
        self.on_spot.setChecked(False)
        self.limit_days.setValue(0)
        self.photo_paths = {"before": [], "after": []}
        self._show_photo_count()
        self.page.select_finding(finding_id)
        self.description.setFocus()
        return finding_id


class SupervisionPage(Page):
    key = "supervision"
    title = "督查督办"
    areas = ("supervision", "units", "framework", "settings")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        set_scaled_style(self.summary, "font-size: 11pt; padding: 2px;")
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self._build_findings_tab()
        self._build_notices_tab()
        self._build_flagged_tab()
        self._build_sites_tab()
        self._build_bulletin_tab()
        # 挂牌督办 lists every 挂牌 finding and the 通报 preview reads the whole period: about a second
        # between them at 10x data, so each is filled when its tab is shown, not on every refresh.
        titles = [self.tabs.tabText(i) for i in range(self.tabs.count())]
        self._tab_loaders = {titles.index("挂牌督办"): self.refresh_flagged, titles.index("通报"): self.preview_bulletin}
        self._stale_tabs: set[int] = set()
        self.tabs.currentChanged.connect(self._load_tab)

    # --- 问题清单 ---------------------------------------------------------------------------------
    def _build_findings_tab(self) -> None:
        tab = QWidget()
        outer = QHBoxLayout(tab)
        splitter = QSplitter(Qt.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.f_status = QComboBox()
        self.f_status.addItem("全部状态", "")
        self.f_status.addItem("未销号", "open")
        for s in supervision.STATUSES:
            self.f_status.addItem(s, s)
        self.f_unit = QComboBox()
        self.f_locality = QComboBox()
        self.f_type = QComboBox()
        self.f_overdue = QCheckBox("仅逾期")
        self.f_flagged = QCheckBox("仅挂牌")
        self.f_text = QLineEdit()
        self.f_text.setPlaceholderText("搜索问题描述或点位（Ctrl+F）")
        self.f_text.setClearButtonEnabled(True)
        for w, name in ((self.f_status, "status"), (self.f_unit, "unit"), (self.f_locality, "locality"),
                        (self.f_type, "site_type"), (self.f_overdue, "overdue"), (self.f_flagged, "flagged"),
                        (self.f_text, "text")):
            remember(w, f"supervision/{name}")
        for w in (self.f_status, self.f_unit, self.f_locality, self.f_type):
            w.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            bar.addWidget(w)
            w.currentIndexChanged.connect(lambda _=0: self.refresh_findings())
        for w in (self.f_overdue, self.f_flagged):
            bar.addWidget(w)
            w.toggled.connect(lambda _=False: self.refresh_findings())
        bar.addWidget(self.f_text, 1)
        self.f_text.textChanged.connect(lambda _: self.refresh_findings())
        left_layout.addLayout(bar)
        self.findings_model = FindingsModel(FINDING_COLUMNS, self)
        self.findings_table = make_table(self.findings_model, state_key="supervision/findings")
        self.findings_table.selectionModel().selectionChanged.connect(lambda *_: self._finding_selected())
        left_layout.addWidget(self.findings_table, 3)
        self.count_label = QLabel()
        left_layout.addWidget(self.count_label)
        actions = QHBoxLayout()
        self.action_buttons = {}
        for key, text, slot in [("notice", "开具督办通知单…", self.issue_notice), ("sign", "签收…", self.sign),
                                ("start", "开始整改", self.start_fixing), ("feedback", "整改反馈…", self.feedback),
                                ("review", "复查…", self.review), ("import", "从 Excel 导入…", self.import_findings),
                                ("export", "导出 Excel…", self.export_findings)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.action_buttons[key] = b
            actions.addWidget(b)
        actions.addStretch()
        left_layout.addLayout(actions)
        lower = QSplitter(Qt.Horizontal)
        self.history_model = RowsTableModel(HISTORY_COLUMNS, self)
        self.history_table = make_table(self.history_model, state_key="supervision/history", sortable=False)
        box = QGroupBox("处理过程")
        QVBoxLayout(box).addWidget(self.history_table)
        lower.addWidget(box)
        self.photos = AttachmentsPanel(self.ctx, "findings", role="before", images_only=True, title="整改前照片")
        self.after_photos = AttachmentsPanel(self.ctx, "findings", role="after", images_only=True, title="整改后照片")
        photo_tabs = QTabWidget()
        photo_tabs.addTab(self.photos, "整改前照片")
        photo_tabs.addTab(self.after_photos, "整改后照片")
        lower.addWidget(photo_tabs)
        lower.setSizes([560, 440])
        left_layout.addWidget(lower, 2)
        splitter.addWidget(left)
        self.entry = EntryForm(self)
        entry_side = QWidget()
        entry_layout = QVBoxLayout(entry_side)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addWidget(self.entry)
        entry_layout.addStretch()
        splitter.addWidget(entry_side)
        splitter.setSizes([1000, 380])
        outer.addWidget(splitter)
        self.tabs.addTab(tab, "问题清单")
        QShortcut(QKeySequence.Find, self, activated=self.f_text.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.focus_entry)

    def focus_entry(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.entry.site.setFocus()

    def current_filter(self) -> FindingFilter:
        status = self.f_status.currentData() or ""
        return FindingFilter(status="" if status == "open" else status, open_only=status == "open",
                             unit_id=self.f_unit.currentData(), locality_id=self.f_locality.currentData(),
                             site_type=self.f_type.currentData() or "", overdue=self.f_overdue.isChecked(),
                             flagged=self.f_flagged.isChecked(), text=self.f_text.text().strip())

    def refresh(self) -> None:
        super().refresh()
        db = self.db
        unit_list = units.list_units(db)
        for combo, first, items in [
                (self.f_unit, "全部责任单位", [(u["name"], u["id"]) for u in unit_list]),
                (self.f_locality, "全部属地", [(u["name"], u["id"]) for u in unit_list if u["kind"] in ("街道", "乡镇")]),
                (self.f_type, "全部点位类型", [(t, t) for t in settings.vocab(db, "site_type")])]:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)
        self.entry.reload(db)
        self.refresh_findings()
        self.refresh_notices()
        self.refresh_sites()
        self._stale_tabs = set(self._tab_loaders)
        self._load_tab(self.tabs.currentIndex())
        c = supervision.counts(db)
        self.summary.setText(f"督查问题 {c['total']} 个：未销号 {c['open']}　待交办 {c['waiting']}　"
                             f"<span style='color:#c00000'>逾期 {c['overdue']}</span>　"
                             f"<span style='color:#c05000'>挂牌督办 {c['flagged']}</span>")
        self.tabs.setTabText(2, f"挂牌督办（{c['flagged']}）")

    def _load_tab(self, index: int) -> None:
        if index in self._stale_tabs:
            self._stale_tabs.discard(index)
            self._tab_loaders[index]()

    def refresh_findings(self) -> None:
        selected = self.selected_finding_ids()
        try:
            found, total = supervision.list_findings(self.db, self.current_filter(), limit=LIST_LIMIT)
        except AppError as exc:
            show_error(self, self.title, exc)
            return
        self.findings_model.set_rows(found)
        shown = f"，显示最新 {len(found)} 个（导出包含全部）" if total > len(found) else ""
        self.count_label.setText(f"共 {total} 个问题{shown}。红色为逾期，橙底为挂牌督办。")
        if selected:
            self.select_finding(selected[0])
        self._finding_selected()

    def selected_finding_ids(self) -> list[int]:
        return [r["id"] for r in selected_rows(self.findings_table)]

    def select_finding(self, finding_id: int) -> None:
        proxy = self.findings_table.model()
        for row in range(proxy.rowCount()):
            ix = proxy.index(row, 0)
            if proxy.data(ix, RowsTableModel.ROW_ROLE)["id"] == finding_id:
                self.findings_table.selectRow(row)
                return

    def _finding_selected(self) -> None:
        ids = self.selected_finding_ids()
        owner = ids[0] if len(ids) == 1 else None
        self.photos.set_owner(owner)
        self.after_photos.set_owner(owner)
        self.history_model.set_rows(supervision.history(self.db, owner) if owner else [])
        status = selected_rows(self.findings_table)[0]["status"] if owner else ""
        allowed = supervision.allowed_actions(status) if owner else []
        self.action_buttons["sign"].setEnabled("sign" in allowed)
        self.action_buttons["start"].setEnabled("start" in allowed)
        self.action_buttons["feedback"].setEnabled("feedback" in allowed)
        self.action_buttons["review"].setEnabled("close" in allowed)
        self.action_buttons["notice"].setEnabled(bool(ids))

    def _one_finding(self) -> dict | None:
        found = selected_rows(self.findings_table)
        if len(found) != 1:
            show_info(self, self.title, "请先在问题清单中选中一个问题。")
            return None
        return found[0]

    def _change(self, title: str, func, *args, **kwargs) -> bool:
        return bool(self.run_change(title, func, *args, **kwargs))

    def issue_notice(self) -> None:
        chosen = selected_rows(self.findings_table)
        if not chosen:
            show_info(self, "开具督办通知单", "请先选中要交办的问题（可多选同一责任单位的问题）。")
            return
        unit_ids = {f["unit_id"] for f in chosen}
        if len(unit_ids) > 1:
            show_info(self, "开具督办通知单", "选中的问题属于不同的责任单位。一份通知单只发给一个单位，请分别选择。")
            return
        issued = _date_edit()
        requirement = QPlainTextEdit(supervision.default_requirement())
        requirement.setTabChangesFocus(True)
        contact = QLineEdit(settings.get(self.db, "notice_contact"))
        dialog = FormDialog(self, "开具督办通知单", [("交办日期：", issued), ("整改要求：", requirement),
                                                    ("联系人及电话：", contact)],
                            f"向“{chosen[0]['unit']}”交办 {len(chosen)} 个问题。文号在保存时自动分配。")
        if not dialog.exec():
            return
        notice = self.run_change("开具督办通知单", supervision.issue_notice, chosen[0]["unit_id"],
                                 [f["id"] for f in chosen], issued_on=_pydate(issued),
                                 requirement=requirement.toPlainText(), contact=contact.text())
        if not notice:
            return
        text = f"已开具 {notice['number']}，整改期限 {notice['due_on']}。"
        if notice["warnings"]:
            text += "\n\n" + "\n".join(notice["warnings"])
        show_info(self, "开具督办通知单", text + "\n\n可在“督办通知单”页打印或保存为 PDF。")

    def sign(self) -> None:
        f = self._one_finding()
        if not f:
            return
        signer, on = QLineEdit(), _date_edit()
        if FormDialog(self, "签收", [("签收人：", signer), ("签收日期：", on)]).exec():
            self._change("签收", supervision.sign, f["id"], signer.text(), _pydate(on))

    def start_fixing(self) -> None:
        f = self._one_finding()
        if f:
            self._change("开始整改", supervision.start_fixing, f["id"], dt.date.today())

    def feedback(self) -> None:
        f = self._one_finding()
        if not f:
            return
        text, on = QPlainTextEdit(), _date_edit()
        text.setTabChangesFocus(True)
        hint = "整改后照片可在保存后于“整改后照片”栏添加（可拖入）。"
        if FormDialog(self, "整改反馈", [("整改情况：", text), ("反馈日期：", on)], hint).exec():
            self._change("整改反馈", supervision.feedback, f["id"], text.toPlainText(), _pydate(on))

    def review(self) -> None:
        f = self._one_finding()
        if not f:
            return
        reviewer, on, comment = QLineEdit(), _date_edit(), QPlainTextEdit()
        comment.setTabChangesFocus(True)
        result = QComboBox()
        result.addItems(["通过（销号）", "未通过（退回整改，督办次数加一）"])
        if FormDialog(self, "复查", [("复查人：", reviewer), ("复查日期：", on), ("复查结果：", result),
                                     ("复查意见：", comment)]).exec():
            self._change("复查", supervision.review, f["id"], reviewer.text(), result.currentIndex() == 0,
                         comment.toPlainText(), on_date=_pydate(on))

    def import_findings(self) -> None:
        from core.xlsx import findings_io

        path = open_file(self, "导入督查结果", "Excel 工作簿 (*.xlsx)")
        if not path:
            return

        def done(result):
            extra = f"\n新加入点位库：{'、'.join(result['created_sites'])}" if result["created_sites"] else ""
            show_info(self, "导入督查结果", f"新增 {result['findings']} 个督查问题，更新 {result['updated']} 个，"
                                            f"未变 {result['unchanged']} 个。{extra}")

        run_job(self, "导入督查结果", lambda db, progress, cancel: findings_io.import_findings(db, path, progress, cancel),
                self.ctx.open_worker_db, done)

    def export_findings(self) -> None:
        from core.xlsx import findings_io

        path = save_file(self, "导出督查问题", "督查问题清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        flt = self.current_filter()
        run_job(self, "导出督查问题", lambda db, progress, cancel: findings_io.export_findings(db, path, flt, progress, cancel),
                self.ctx.open_worker_db, lambda n: show_info(self, "导出督查问题", f"已导出 {n} 个问题到：\n{path}"))

    # --- 督办通知单 -------------------------------------------------------------------------------
    def _build_notices_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.notice_model = RowsTableModel(NOTICE_COLUMNS, self, muted=lambda r: bool(r["voided"]))
        self.notice_table = make_table(self.notice_model, state_key="supervision/notices")
        layout.addWidget(self.notice_table)
        bar = QHBoxLayout()
        for text, slot in [("打印 / 保存 PDF…", self.print_notices), ("登记回执…", self.receipt),
                           ("作废…", self.void_notice), ("导出 Excel…", self.export_notices)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch()
        bar.addWidget(QLabel("文号按年度连续编号；作废的通知单保留文号并标明“作废”。"))
        layout.addLayout(bar)
        self.tabs.addTab(tab, "督办通知单")

    def refresh_notices(self) -> None:
        self.notice_model.set_rows(supervision.list_notices(self.db))

    def _selected_notices(self) -> list[dict]:
        chosen = selected_rows(self.notice_table)
        if not chosen:
            show_info(self, "督办通知单", "请先在列表中选中通知单（可多选）。")
        return chosen

    def print_notices(self) -> None:
        from core.pdf import notice_pdf

        chosen = self._selected_notices()
        if not chosen:
            return
        name = f"{chosen[0]['number']}.pdf" if len(chosen) == 1 else "督办通知单.pdf"
        path = save_file(self, "保存督办通知单", name, "PDF 文件 (*.pdf)")
        if not path:
            return
        ids = [n["id"] for n in chosen]
        run_job(self, "生成督办通知单", lambda db, progress, cancel: notice_pdf.render_notices(db, ids, path, progress, cancel),
                self.ctx.open_worker_db, lambda r: show_info(self, "督办通知单", f"已保存 {len(ids)} 份（{r.page_count} 页）：\n{path}"))

    def receipt(self) -> None:
        chosen = self._selected_notices()
        if not chosen:
            return
        signer, on, note = QLineEdit(), _date_edit(), QPlainTextEdit()
        note.setTabChangesFocus(True)
        if FormDialog(self, f"登记回执：{chosen[0]['number']}", [("签收人：", signer), ("签收时间：", on),
                                                                ("整改情况：", note)]).exec():
            self._change("登记回执", supervision.record_receipt, chosen[0]["id"], signer.text(), _pydate(on),
                         note.toPlainText())

    def void_notice(self) -> None:
        chosen = self._selected_notices()
        if not chosen:
            return
        reason = QLineEdit()
        if FormDialog(self, f"作废：{chosen[0]['number']}", [("作废原因：", reason)],
                      "作废后文号保留并标明作废，通知单中的问题退回原状态，可重新开具。").exec():
            self._change("作废督办通知单", supervision.void_notice, chosen[0]["id"], reason.text())

    def export_notices(self) -> None:
        self._export_model("督办通知单", self.notice_model)

    def _export_model(self, title: str, model: RowsTableModel) -> None:
        from core.xlsx import findings_io

        path = save_file(self, f"导出{title}", f"{title}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        cols = model.columns
        rows = [{c.key: (c.fmt(r.get(c.key)) if c.fmt else r.get(c.key)) for c in cols} for r in model.rows()]
        try:
            n = findings_io.export_table(path, title, [c.title for c in cols], [c.key for c in cols], rows)
        except AppError as exc:
            show_error(self, f"导出{title}", exc)
            return
        show_info(self, f"导出{title}", f"已导出 {n} 行到：\n{path}")

    # --- 挂牌督办 ---------------------------------------------------------------------------------
    def _build_flagged_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.flag_model = FindingsModel(FINDING_COLUMNS, self)
        self.flag_table = make_table(self.flag_model, state_key="supervision/flagged")
        layout.addWidget(self.flag_table, 3)
        rules_box = QGroupBox("挂牌规则（满足任一条即挂牌督办）")
        rules = QHBoxLayout(rules_box)
        self.rule_edits = {}
        for key, prefix, suffix in [("flag_supervision_count", "督办次数达到", " 次"),
                                    ("flag_overdue_workdays", "逾期超过", " 个工作日"),
                                    ("flag_repeat_days", "同一点位", " 天内重复出现")]:
            spin = QSpinBox()
            spin.setRange(1, 365)
            spin.setSuffix(suffix)
            self.rule_edits[key] = spin
            rules.addWidget(QLabel(prefix))
            rules.addWidget(spin)
        save = QPushButton("保存规则")
        save.clicked.connect(self.save_rules)
        rules.addWidget(save)
        export = QPushButton("导出挂牌清单…")
        export.clicked.connect(lambda: self._export_model("挂牌督办", self.flag_model))
        rules.addWidget(export)
        rules.addStretch()
        layout.addWidget(rules_box)
        owes = QGroupBox("各单位欠账（未销号问题）")
        o_layout = QVBoxLayout(owes)
        self.owes_model = RowsTableModel(OWES_COLUMNS, self)
        self.owes_table = make_table(self.owes_model, state_key="supervision/owes")
        self.owes_table.doubleClicked.connect(lambda _: self.show_unit_findings())
        o_layout.addWidget(self.owes_table)
        hint = QHBoxLayout()
        hint.addWidget(QLabel("双击单位查看它的全部问题。"))
        hint.addStretch()
        b = QPushButton("导出 Excel…")
        b.clicked.connect(lambda: self._export_model("各单位欠账", self.owes_model))
        hint.addWidget(b)
        o_layout.addLayout(hint)
        layout.addWidget(owes, 2)
        self.tabs.addTab(tab, "挂牌督办")

    def refresh_flagged(self) -> None:
        self.flag_model.set_rows(supervision.list_findings(self.db, FindingFilter(flagged=True))[0])
        self.owes_model.set_rows(supervision.unit_owes(self.db))
        for key, spin in self.rule_edits.items():
            spin.setValue(settings.get(self.db, key))

    def save_rules(self) -> None:
        self.run_change("保存挂牌规则", settings.set_many, {k: s.value() for k, s in self.rule_edits.items()})

    def show_unit_findings(self) -> None:
        chosen = selected_rows(self.owes_table)
        if chosen:
            self.tabs.setCurrentIndex(0)
            self.f_status.setCurrentIndex(self.f_status.findData("open"))
            self.f_unit.setCurrentIndex(self.f_unit.findData(chosen[0]["unit_id"]))

    # --- 点位 ------------------------------------------------------------------------------------
    def _build_sites_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.site_model = RowsTableModel(SITE_COLUMNS, self, muted=lambda r: bool(r["retired"]))
        self.site_table = make_table(self.site_model, state_key="supervision/sites")
        self.site_table.doubleClicked.connect(lambda _: self.edit_site())
        layout.addWidget(self.site_table)
        bar = QHBoxLayout()
        for text, slot in [("新增点位…", self.add_site), ("编辑…", self.edit_site), ("停用/恢复", self.toggle_site),
                           ("导出 Excel…", lambda: self._export_model("点位库", self.site_model)),
                           ("导入放假安排…", self.import_holidays)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch()
        self.calendar_label = QLabel()
        bar.addWidget(self.calendar_label)
        layout.addLayout(bar)
        self.tabs.addTab(tab, "点位")

    def refresh_sites(self) -> None:
        self.site_model.set_rows(sites.list_sites(self.db, include_retired=True))
        years = workdays.known_years(self.db)
        self.calendar_label.setText(f"节假日安排已知年份：{years[0]['year']}–{max(y['year'] for y in years)}"
                                    if years else "")

    def _site_dialog(self, site: dict | None):
        db = self.db
        name = QLineEdit(site["name"] if site else "")
        kind = QComboBox()
        kind.addItems(settings.vocab(db, "site_type"))
        address = QLineEdit(site["address"] if site else "")
        locality = QComboBox()
        locality.addItem("（无）", None)
        for u in units.list_units(db):
            if u["kind"] in ("街道", "乡镇"):
                locality.addItem(u["name"], u["id"])
        unit_edit = QLineEdit("、".join(units.unit_names(db, site["unit_ids"])) if site else "")
        unit_edit.setPlaceholderText("默认责任单位，多个用“、”分隔")
        if site:
            kind.setCurrentText(site["site_type"])
            locality.setCurrentIndex(max(locality.findData(site["locality_unit_id"]), 0))
        dialog = FormDialog(self, "编辑点位" if site else "新增点位",
                            [("点位名称：", name), ("点位类型：", kind), ("地址：", address), ("属地：", locality),
                             ("责任单位：", unit_edit)])
        if not dialog.exec():
            return None
        try:
            unit_ids = [units.resolve_one(db, n) for n in split_multi(unit_edit.text())]
        except AppError as exc:
            show_error(self, dialog.windowTitle(), exc)
            return None
        return ({"name": name.text(), "site_type": kind.currentText(), "address": address.text()},
                locality.currentData(), unit_ids)

    def add_site(self) -> None:
        values = self._site_dialog(None)
        if values:
            self._change("新增点位", sites.create_site, *values)

    def edit_site(self) -> None:
        chosen = selected_rows(self.site_table)
        if not chosen:
            show_info(self, "点位", "请先选中一个点位。")
            return
        values = self._site_dialog(sites.get_site(self.db, chosen[0]["id"]))
        if values:
            self._change("编辑点位", sites.update_site, chosen[0]["id"], *values)

    def toggle_site(self) -> None:
        chosen = selected_rows(self.site_table)
        if chosen and (chosen[0]["retired"] or confirm(self, "停用点位", f"停用“{chosen[0]['name']}”？历史问题保留。", "停用")):
            self._change("停用点位", sites.retire_site, chosen[0]["id"], not chosen[0]["retired"])

    def import_holidays(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        year, ok = QInputDialog.getInt(self, "导入放假安排", "年份：", dt.date.today().year + 1, 2000, 2100)
        if not ok:
            return
        path = open_file(self, f"导入 {year} 年放假安排（列：日期、类型 放假/上班、名称）", "Excel 工作簿 (*.xlsx)")
        if path and self._change("导入放假安排", workdays.import_schedule, year, path):
            show_info(self, "导入放假安排", f"{year} 年的放假安排已录入，整改期限将按它计算。")

    # --- 通报 ------------------------------------------------------------------------------------
    def _build_bulletin_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        form = QHBoxLayout()
        today = dt.date.today()
        self.b_from, self.b_to = _date_edit(today), _date_edit(today)
        form.addWidget(QLabel("统计期间："))
        form.addWidget(self.b_from)
        form.addWidget(QLabel("至"))
        form.addWidget(self.b_to)
        for text, days in (("今日", 0), ("近 7 天", 6), ("近 30 天", 29)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, d=days: (self.b_from.setDate(_qdate(today - dt.timedelta(days=d))),
                                                       self.b_to.setDate(_qdate(today))))
            form.addWidget(b)
        form.addStretch()
        layout.addLayout(form)
        self.b_preview = QListWidget()
        layout.addWidget(self.b_preview)
        bar = QHBoxLayout()
        preview = QPushButton("统计")
        preview.clicked.connect(self.preview_bulletin)
        bar.addWidget(preview)
        for text, suffix in (("生成通报 PDF…", ".pdf"), ("生成通报 Excel…", ".xlsx")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=suffix: self.write_bulletin(s))
            bar.addWidget(b)
        bar.addStretch()
        layout.addLayout(bar)
        self.tabs.addTab(tab, "通报")
        self.b_from.dateChanged.connect(lambda _: self.preview_bulletin())
        self.b_to.dateChanged.connect(lambda _: self.preview_bulletin())

    def preview_bulletin(self) -> None:
        self.b_preview.clear()
        try:
            data = supervision.bulletin_data(self.db, _pydate(self.b_from), _pydate(self.b_to))
        except AppError as exc:
            self.b_preview.addItem(exc.message_zh)
            return
        c = data["counts"]
        self.b_preview.addItem(f"新发现问题 {c['new']} 个（现场整改 {c['on_spot']} 个），销号 {c['closed']} 个；"
                               f"截至 {data['as_of']} 未销号 {c['open']} 个，逾期 {c['overdue']} 个，挂牌督办 {c['flagged']} 个。")
        self.b_preview.addItem("责任单位排名（按逾期、未销号）：")
        for r in data["ranking"][:15]:
            self.b_preview.addItem(f"  {r['rank']}. {r['unit']}　未销号 {r['open']}　逾期 {r['overdue']}　挂牌 {r['flagged']}")

    def write_bulletin(self, suffix: str) -> None:
        from core.pdf import bulletin_pdf

        start, end = _pydate(self.b_from), _pydate(self.b_to)
        name = f"创城督查通报{start.isoformat()}至{end.isoformat()}{suffix}"
        path = save_file(self, "保存通报", name, "PDF 文件 (*.pdf)" if suffix == ".pdf" else "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        run_job(self, "生成通报", lambda db, progress, cancel: bulletin_pdf.write_bulletin(
            db, start, end, path, progress=progress, cancel=cancel), self.ctx.open_worker_db,
            lambda data: show_info(self, "通报", f"通报已保存到：\n{path}"))

    def open_record(self, kind: str, record_id: int) -> bool:
        """A finding (问题) in the findings list, or a notice (通知) in the notices list."""
        from gui.widgets.locate import reset_filters, select_row_by_id

        if kind == "通知":
            self.tabs.setCurrentIndex(self.tabs.indexOf(self.notice_table.parentWidget()))
            return select_row_by_id(self.notice_table, record_id)
        self.tabs.setCurrentIndex(0)
        reset_filters(self.f_status, self.f_unit, self.f_locality, self.f_type, self.f_overdue, self.f_flagged,
                      self.f_text)
        self.refresh_findings()
        self.select_finding(record_id)
        if self.selected_finding_ids() != [record_id]:  # older than the newest LIST_LIMIT shown: add it
            found, _ = supervision.list_findings(self.db, FindingFilter(ids=(record_id,)))
            if found:
                self.findings_model.set_rows(found + self.findings_model.rows())
                self.select_finding(record_id)
        return self.selected_finding_ids() == [record_id]

    def open_list(self, which: str, unit_id: int | None = None) -> None:
        """The list behind a 首页 figure: 未销号 (open), 逾期 (overdue), 挂牌 (flagged) or one unit's open findings."""
        from gui.widgets.locate import reset_filters

        if which == "flagged":
            self.tabs.setCurrentIndex(2)
            return
        self.tabs.setCurrentIndex(0)
        reset_filters(self.f_unit, self.f_locality, self.f_type, self.f_overdue, self.f_flagged, self.f_text)
        self.f_status.setCurrentIndex(self.f_status.findData("open"))
        if which == "overdue":
            self.f_overdue.setChecked(True)
        elif which == "unit":
            if self.f_unit.findData(unit_id) < 0:  # a retired unit still owing: list it for this view
                self.f_unit.addItem(units.get_unit(self.db, unit_id)["name"] + "（已停用）", unit_id)
            self.f_unit.setCurrentIndex(self.f_unit.findData(unit_id))
