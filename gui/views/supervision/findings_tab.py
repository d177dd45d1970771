"""问题清单: the findings with their filters, the steps of the one selected (签收 … 复查), its
history and photos, notices issued from the selection, Excel in and out, and the entry form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from core import clock, settings, supervision, units
from core.errors import AppError
from core.supervision import FindingFilter
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import RowsTableModel
from gui.ui_state import remember
from gui.views.supervision import dialogs as supervision_dialogs
from gui.views.supervision.entry import EntryForm
from gui.views.supervision.fields import date_edit, pydate
from gui.views.supervision.models import FINDING_COLUMNS, HISTORY_COLUMNS, FindingsModel
from gui.widgets.attachments_panel import AttachmentsPanel
from gui.widgets.flow import FlowLayout, side_by_side_or_stacked
from gui.widgets.tables import make_table, selected_rows

LIST_LIMIT = 500  # rows shown at once; the count and the exports always cover every match
OPEN = "open"  # the status filter's choice 未销号 (every status but 已销号)


class FindingsTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        outer = QHBoxLayout(self)
        splitter = QSplitter(Qt.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(self._build_filters())
        self.findings_model = FindingsModel(FINDING_COLUMNS, self)
        self.findings_table = make_table(self.findings_model, state_key="supervision/findings")
        self.findings_table.selectionModel().selectionChanged.connect(lambda *_: self._finding_selected())
        left_layout.addWidget(self.findings_table, 3)
        self.count_label = QLabel()
        left_layout.addWidget(self.count_label)
        left_layout.addLayout(self._build_actions())
        left_layout.addWidget(self._build_details(), 2)
        splitter.addWidget(left)
        self.entry = EntryForm(self)
        entry_side = QWidget()
        entry_layout = QVBoxLayout(entry_side)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addWidget(self.entry)
        entry_layout.addStretch()
        splitter.addWidget(entry_side)
        splitter.setSizes([1000, 380])
        side_by_side_or_stacked(splitter)
        outer.addWidget(splitter)

    @property
    def db(self):
        return self.page.db

    def _build_filters(self) -> QHBoxLayout:
        bar = FlowLayout()
        self.f_status = QComboBox()
        self.f_status.addItem("全部状态", "")
        self.f_status.addItem("未销号", OPEN)
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
            w.currentIndexChanged.connect(lambda _=0: self.refresh())
        for w in (self.f_overdue, self.f_flagged):
            bar.addWidget(w)
            w.toggled.connect(lambda _=False: self.refresh())
        bar.addWidget(self.f_text, 1)
        self.f_text.textChanged.connect(lambda _: self.refresh())
        return bar

    def _build_actions(self) -> QHBoxLayout:
        actions = FlowLayout()
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
        return actions

    def _build_details(self) -> QSplitter:
        lower = QSplitter(Qt.Horizontal)
        self.history_model = RowsTableModel(HISTORY_COLUMNS, self)
        self.history_table = make_table(self.history_model, state_key="supervision/history", sortable=False)
        box = QGroupBox("处理过程")
        QVBoxLayout(box).addWidget(self.history_table)
        lower.addWidget(box)
        ctx = self.page.ctx
        self.photos = AttachmentsPanel(ctx, "findings", role="before", images_only=True, title="整改前照片")
        self.after_photos = AttachmentsPanel(ctx, "findings", role="after", images_only=True, title="整改后照片")
        photo_tabs = QTabWidget()
        photo_tabs.addTab(self.photos, "整改前照片")
        photo_tabs.addTab(self.after_photos, "整改后照片")
        lower.addWidget(photo_tabs)
        lower.setSizes([560, 440])
        return lower

    # --- the list ---------------------------------------------------------------------------------
    def reload_choices(self) -> None:
        """The units, 属地 and 点位类型 to filter by, and the entry form's lists, as they are now."""
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
        self.entry.reload()

    def current_filter(self) -> FindingFilter:
        status = self.f_status.currentData() or ""
        return FindingFilter(status="" if status == OPEN else status, open_only=status == OPEN,
                             unit_id=self.f_unit.currentData(), locality_id=self.f_locality.currentData(),
                             site_type=self.f_type.currentData() or "", overdue=self.f_overdue.isChecked(),
                             flagged=self.f_flagged.isChecked(), text=self.f_text.text().strip())

    def refresh(self) -> None:
        selected = self.selected_finding_ids()
        try:
            found, total = supervision.list_findings(self.db, self.current_filter(), limit=LIST_LIMIT)
        except AppError as exc:
            dialogs.show_error(self, self.page.title, exc)
            return
        self.findings_model.set_rows(found)
        shown = f"，显示最新 {len(found)} 个（导出包含全部）" if total > len(found) else ""
        self.count_label.setText(f"共 {total} 个问题{shown}。红色为逾期，橙底为挂牌督办。")
        if selected:
            self.select_finding(selected[0])
        self._finding_selected()

    def show_also(self, finding_id: int) -> None:
        """Add a finding the list does not show (older than the newest LIST_LIMIT)."""
        found, _ = supervision.list_findings(self.db, FindingFilter(ids=(finding_id,)))
        if found:
            self.findings_model.set_rows(found + self.findings_model.rows())

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

    # --- the steps --------------------------------------------------------------------------------
    def _one_finding(self) -> dict | None:
        found = selected_rows(self.findings_table)
        if len(found) != 1:
            dialogs.show_info(self, self.page.title, "请先在问题清单中选中一个问题。")
            return None
        return found[0]

    def _change(self, title: str, func, *args, **kwargs):
        return self.page.run_change(title, func, *args, **kwargs)

    def _step(self, title: str, func, finding: dict, *args, **kwargs):
        """A step on the finding as the list showed it: a colleague's step or change since is
        refused with who and when, and the list is read again."""
        return self._change(title, func, finding["id"], *args, expected_version=finding["version"],
                            on_conflict=self.refresh, **kwargs)

    def issue_notice(self) -> None:
        chosen = selected_rows(self.findings_table)
        if not chosen:
            dialogs.show_info(self, "开具督办通知单", "请先选中要交办的问题（可多选同一责任单位的问题）。")
            return
        if len({f["unit_id"] for f in chosen}) > 1:
            dialogs.show_info(self, "开具督办通知单", "选中的问题属于不同的责任单位。一份通知单只发给一个单位，请分别选择。")
            return
        issued = date_edit()
        requirement = QPlainTextEdit(supervision.default_requirement())
        requirement.setTabChangesFocus(True)
        contact = QLineEdit(settings.get(self.db, "notice_contact"))
        dialog = supervision_dialogs.FormDialog(self, "开具督办通知单", [("交办日期：", issued), ("整改要求：", requirement),
                                                    ("联系人及电话：", contact)],
                            f"向“{chosen[0]['unit']}”交办 {len(chosen)} 个问题。文号在保存时自动分配。")
        if not dialog.exec():
            return
        notice = self._change("开具督办通知单", supervision.issue_notice, chosen[0]["unit_id"],
                              [f["id"] for f in chosen], issued_on=pydate(issued),
                              requirement=requirement.toPlainText(), contact=contact.text())
        if not notice:
            return
        text = f"已开具 {notice['number']}，整改期限 {notice['due_on']}。"
        if notice["warnings"]:
            text += "\n\n" + "\n".join(notice["warnings"])
        dialogs.show_info(self, "开具督办通知单", text + "\n\n可在“督办通知单”页打印或保存为 PDF。")

    def sign(self) -> None:
        f = self._one_finding()
        if not f:
            return
        signer, on = QLineEdit(), date_edit()
        if supervision_dialogs.FormDialog(self, "签收", [("签收人：", signer), ("签收日期：", on)]).exec():
            self._step("签收", supervision.sign, f, signer.text(), pydate(on))

    def start_fixing(self) -> None:
        f = self._one_finding()
        if f:
            self._step("开始整改", supervision.start_fixing, f, clock.today())

    def feedback(self) -> None:
        f = self._one_finding()
        if not f:
            return
        text, on = QPlainTextEdit(), date_edit()
        text.setTabChangesFocus(True)
        hint = "整改后照片可在保存后于“整改后照片”栏添加（可拖入）。"
        if supervision_dialogs.FormDialog(self, "整改反馈", [("整改情况：", text), ("反馈日期：", on)], hint).exec():
            self._step("整改反馈", supervision.feedback, f, text.toPlainText(), pydate(on))

    def review(self) -> None:
        f = self._one_finding()
        if not f:
            return
        reviewer, on, comment = QLineEdit(), date_edit(), QPlainTextEdit()
        comment.setTabChangesFocus(True)
        result = QComboBox()
        result.addItems(["通过（销号）", "未通过（退回整改，督办次数加一）"])
        if supervision_dialogs.FormDialog(self, "复查", [("复查人：", reviewer), ("复查日期：", on), ("复查结果：", result),
                                     ("复查意见：", comment)]).exec():
            self._step("复查", supervision.review, f, reviewer.text(), result.currentIndex() == 0,
                       comment.toPlainText(), on_date=pydate(on))

    # --- Excel ------------------------------------------------------------------------------------
    def import_findings(self) -> None:
        path = dialogs.open_file(self, "导入督查结果", "Excel 工作簿 (*.xlsx)")
        if path:
            self._import(path)

    def _import(self, path: str) -> None:
        def done(result):
            extra = f"\n新加入点位库：{'、'.join(result['created_sites'])}" if result["created_sites"] else ""
            extra += "".join(f"\n注意：{w}" for w in result["warnings"])
            dialogs.show_info(self, "导入督查结果", f"新增 {result['findings']} 个督查问题，更新 {result['updated']} 个，"
                                                    f"未变 {result['unchanged']} 个。{extra}")

        def failed(exc):
            if isinstance(exc, settings.UnknownWords) and dialogs.offer_new_words(self, "导入督查结果", exc):
                if self.page.run_change("导入督查结果", settings.add_vocab, exc.kind, exc.words):
                    self._import(path)
                return True
            return False

        run_job(self, "导入督查结果", lambda db, progress, cancel: supervision.import_findings(db, path, progress, cancel),
                self.page.ctx.open_worker_db, done, failed)

    def export_findings(self) -> None:
        path = dialogs.save_file(self, "导出督查问题", "督查问题清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        flt = self.current_filter()
        run_job(self, "导出督查问题",
                lambda db, progress, cancel: supervision.export_findings(db, path, flt, progress, cancel),
                self.page.ctx.open_worker_db,
                lambda n: dialogs.show_info(self, "导出督查问题", f"已导出 {n} 个问题到：\n{path}"))
