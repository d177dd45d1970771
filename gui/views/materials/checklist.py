"""The checklist: its filters and count above the list of materials (loaded once per refresh,
filtered in memory, single rows updated in place after a change made on the page), with the
details of the current material beside the list."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QLabel, QLineEdit, QSplitter, QVBoxLayout,
                               QWidget)

from core import materials
from gui.models.table import Col, RowsTableModel
from gui.theme import scaled
from gui.ui_state import remember
from gui.widgets.flow import FlowLayout, side_by_side_or_stacked
from gui.widgets.locate import reset_filters
from gui.widgets.tables import make_table

COLUMNS = [  # 状态 and 责任单位 early: in sight beside the detail pane at a large 界面字号
    Col("material_code", "材料编号", width=76), Col("code", "标准编号", width=60), Col("status", "状态", width=62),
    Col("unit_name", "责任单位", width=100), Col("standard_title", "测评标准", width=170),
    Col("kind", "材料类型", width=72), Col("title", "材料名称", width=150),
    Col("file_count", "附件", align_right=True, width=38), Col("due_on", "截止日期", width=80), Col("comment", "审核意见"),
]


class ChecklistView(QWidget):
    current_changed = Signal(object)  # the material shown (a checklist row), or None

    def __init__(self, detail: QWidget):
        super().__init__()
        self.all_rows: list[dict] = []
        self.current: dict | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        filters = FlowLayout()
        self.category_box, self.unit_box, self.group_box = QComboBox(), QComboBox(), QComboBox()
        self.kind_box, self.status_box = QComboBox(), QComboBox()
        self.category_box.setMinimumWidth(scaled(150))
        self.unit_box.setMinimumWidth(scaled(120))
        self.group_box.setMinimumWidth(scaled(110))
        self.kind_box.addItem("全部类型", "")
        for k in materials.KINDS:
            self.kind_box.addItem(k, k)
        self.status_box.addItem("全部状态", "")
        for s in materials.STATUSES:
            self.status_box.addItem(s, s)
        self.overdue_box = QCheckBox("已逾期")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索编号、标准、材料名称、单位、意见…")
        self.search.setClearButtonEnabled(True)
        for w, name in ((self.category_box, "category"), (self.unit_box, "unit"), (self.group_box, "working_group"),
                        (self.kind_box, "kind"), (self.status_box, "status"), (self.overdue_box, "overdue"),
                        (self.search, "text")):
            remember(w, f"materials/{name}")
        for w in (self.category_box, self.unit_box, self.group_box, self.kind_box, self.status_box):
            w.currentIndexChanged.connect(self.apply_filter)
            filters.addWidget(w)
        self.overdue_box.toggled.connect(self.apply_filter)
        filters.addWidget(self.overdue_box)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        filters.addWidget(self.search, 1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        v.addLayout(filters)
        self.model = RowsTableModel(COLUMNS, self, muted=lambda r: r["status"] == materials.ARCHIVED)
        self.table = make_table(self.model, state_key="materials/list")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        split = QSplitter(Qt.Horizontal)  # the filters span both: the list and the details stay wide enough
        split.addWidget(self.table)
        split.addWidget(detail)
        side_by_side_or_stacked(split)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 420])
        v.addWidget(split, 1)

    # --- filling ----------------------------------------------------------------------------------
    def set_choices(self, choices: dict) -> None:
        """What the filter boxes offer (core.materials.filter_choices), keeping what is chosen."""
        for box, first, items in [
                (self.category_box, "全部测评项目", [(c["title"], c["id"]) for c in choices["categories"]]),
                (self.unit_box, "全部单位", [(u["name"], u["id"]) for u in choices["units"]]),
                (self.group_box, "全部推进组", [(g, g) for g in choices["working_groups"]])]:
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(first, None)
            for text, data in items:
                box.addItem(text, data)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)

    def set_rows(self, rows: list[dict]) -> None:
        self.all_rows = rows
        self.apply_filter()

    def current_filter(self) -> materials.MaterialFilter:
        return materials.MaterialFilter(
            category_id=self.category_box.currentData(), unit_id=self.unit_box.currentData(),
            working_group=self.group_box.currentData() or "", kind=self.kind_box.currentData() or "",
            status=self.status_box.currentData() or "", overdue=self.overdue_box.isChecked(),
            text=self.search.text())

    def apply_filter(self) -> None:
        shown = materials.filter_rows(self.all_rows, self.current_filter())
        keep = self.current["id"] if self.current else None
        self.model.set_rows(shown)
        self._show_count()
        if keep is None or not self.select_material(keep):
            if shown:  # land on the first item so the details are never an empty form
                self.select_material(self.table.model().index(0, 0).data(RowsTableModel.ROW_ROLE)["id"])
            else:
                self._set_current(None)

    def reset_filters(self, *, keep_category: bool = False) -> None:
        boxes = [self.unit_box, self.group_box, self.kind_box, self.status_box, self.overdue_box, self.search]
        reset_filters(*boxes, *([] if keep_category else [self.category_box]))

    def _show_count(self) -> None:
        shown = self.model.rows()
        overdue = sum(1 for r in shown if r["overdue"])
        self.count_label.setText(f"{len(shown)} / {len(self.all_rows)} 项" + (f"，逾期 {overdue} 项" if overdue else ""))

    # --- the current material ---------------------------------------------------------------------
    def select_material(self, material_id: int) -> bool:
        proxy = self.table.model()
        for row, r in enumerate(self.model.rows()):
            if r["id"] == material_id:
                index = proxy.mapFromSource(self.model.index(row, 0))
                selection = self.table.selectionModel()
                selection.blockSignals(True)  # shown once below, not again by currentRowChanged
                self.table.setCurrentIndex(index)
                selection.blockSignals(False)
                self.table.viewport().update()
                self.table.scrollTo(index)
                self._set_current(r)
                return True
        return False

    def _show_selected(self) -> None:
        index = self.table.currentIndex()
        self._set_current(self.table.model().data(index, RowsTableModel.ROW_ROLE) if index.isValid() else None)

    def _set_current(self, r: dict | None) -> None:
        self.current = r
        self.current_changed.emit(r)

    # --- rows changed on the page -----------------------------------------------------------------
    # A change made on the page updates only the rows it touched (40,000 rows reload in about a second
    # at 10x data).
    def update_rows(self, fresh: dict[int, dict], ids: set[int]) -> None:
        """Show these materials as read again (`fresh`); those of `ids` not in it leave the list."""
        gone = ids - set(fresh)
        if gone:
            self.all_rows = [r for r in self.all_rows if r["id"] not in gone]
            self.model.remove_rows(gone)
        for i in (i for i, r in enumerate(self.all_rows) if r["id"] in fresh):
            self.all_rows[i] = fresh[self.all_rows[i]["id"]]
        self.model.update_rows(fresh)
        self._show_count()
        if self.current and self.current["id"] in ids:
            if self.current["id"] in fresh:
                self._set_current(fresh[self.current["id"]])
            else:
                self._show_selected()

    def insert_row(self, row: dict) -> None:
        """A material added on the page: into the rows at its place in the tree order, shown."""
        same = [i for i, r in enumerate(self.all_rows) if r["node_id"] == row["node_id"]]
        self.all_rows.insert(same[-1] + 1 if same else len(self.all_rows), row)
        self.current = row
        self.apply_filter()
