"""失分统计: the selected round's losses counted one way (by unit, 测评项目, 属地, 点位类型 or standard)
with a bar chart of those that lost most; picking a unit shows its own page below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from core import scoring, units
from gui import dialogs
from gui.charts import BarChart, Series
from gui.jobs import run_job
from gui.models.table import RowsTableModel
from gui.ui_state import remember
from gui.views.scoring.columns import table_columns
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table, selected_rows

BARS_SHOWN = 15
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


def show_table(model: RowsTableModel, table: scoring.ReportTable) -> None:
    """A report table in a list whose columns follow the table's."""
    model.beginResetModel()
    model.columns = table_columns(table)
    model.endResetModel()
    model.set_rows(table.rows)


def _target(path: str, kind: str) -> tuple[str, str]:
    """Where to write and in which format: Excel stays Excel; a document is PDF or Word as its
    name says (PDF when it says neither)."""
    if kind == "xlsx" or not path:
        return path, kind
    path = dialogs.document_path(path)
    return path, "docx" if path.lower().endswith(".docx") else "pdf"


class ReportTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        bar.addWidget(QLabel("统计方式："))
        self.kind = QComboBox()
        for key, label in scoring.REPORT_KINDS.items():
            self.kind.addItem(label, key)
        remember(self.kind, "scoring/report_kind")
        self.kind.currentIndexChanged.connect(lambda _: self.show_round())
        bar.addWidget(self.kind)
        bar.addStretch()
        for text, slot in [("导出 Excel…", lambda: self.export_report("xlsx")),
                           ("导出 PDF / Word…", lambda: self.export_report("pdf"))]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Vertical)
        top = QSplitter()
        self.model = RowsTableModel([], self)
        self.table = make_table(self.model, state_key="scoring/report")
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_unit_page())
        top.addWidget(self.table)
        self.bar_chart = BarChart((Series("loss", "#c0504d"),), empty_text="没有失分")
        top.addWidget(self.bar_chart)
        top.setSizes([620, 380])
        splitter.addWidget(top)
        unit_box = QWidget()
        unit_layout = QVBoxLayout(unit_box)
        unit_layout.setContentsMargins(0, 0, 0, 0)
        unit_bar = FlowLayout()
        self.unit_heading = QLabel("在上表选择一个责任单位，查看它的每一项失分。")
        unit_bar.addWidget(self.unit_heading, 1)
        for text, slot in [("导出单位明细 Excel…", lambda: self.export_unit_page("xlsx")),
                           ("导出单位明细 PDF / Word…", lambda: self.export_unit_page("pdf"))]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            unit_bar.addWidget(b)
        unit_layout.addLayout(unit_bar)
        self.unit_model = RowsTableModel([], self)
        self.unit_table = make_table(self.unit_model, state_key="scoring/unit_losses")
        unit_layout.addWidget(self.unit_table)
        splitter.addWidget(unit_box)
        splitter.setSizes([460, 260])
        layout.addWidget(splitter)

    @property
    def db(self):
        return self.page.db

    def show_by_unit(self) -> None:
        """Count by 责任单位 (what 首页 opens)."""
        self.kind.setCurrentIndex(self.kind.findData(scoring.BY_UNIT))

    def show_round(self) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            self.model.set_rows([])
            self.bar_chart.set_data([], "")
            return
        table = scoring.report_table(self.db, round_id, self.kind.currentData())
        show_table(self.model, table)
        bars = table.top_losses(BARS_SHOWN)
        self.bar_chart.set_data(bars, f"失分最多的{table.subject.title}（前 {len(bars)} 名）")
        self.show_unit_page()

    def show_unit_page(self) -> None:
        round_id = self.page.current_round_id()
        unit_id = self.selected_unit_id()
        if round_id is None or unit_id is None:
            self.unit_model.set_rows([])
            self.unit_heading.setText("在上表（按责任单位）选择一个单位，查看它的每一项失分。")
            return
        table = scoring.unit_page_table(self.db, round_id, unit_id)
        show_table(self.unit_model, table)
        self.unit_heading.setText(f"{table.title}：{len(table.rows)} 项，合计失分 {table.total_loss:g}")

    def selected_unit_id(self) -> int | None:
        if self.kind.currentData() != scoring.BY_UNIT:
            return None
        rows = selected_rows(self.table)
        return rows[0]["unit_id"] if rows else None

    # --- exports ----------------------------------------------------------------------------------

    def export_report(self, kind: str) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            return
        by = self.kind.currentData()
        name = f"{self.page.round_name()}失分统计（{scoring.REPORT_KINDS[by]}）.{kind}"
        path, kind = _target(dialogs.save_file(self, "导出失分统计", name,
                                               XLSX_FILTER if kind == "xlsx" else dialogs.PDF_OR_WORD), kind)
        if not path:
            return
        write = {"xlsx": scoring.export_report, "pdf": scoring.write_report_pdf,
                 "docx": scoring.write_report_word}[kind]
        run_job(self, "导出失分统计", lambda db, progress, cancel: write(db, round_id, by, path, progress, cancel),
                self.page.ctx.open_worker_db, lambda _: dialogs.show_info(self, "导出失分统计", f"已导出到：\n{path}"))

    def export_unit_page(self, kind: str) -> None:
        round_id, unit_id = self.page.current_round_id(), self.selected_unit_id()
        if round_id is None or unit_id is None:
            dialogs.show_info(self, "导出单位失分明细", "请先在“按责任单位”统计表中选择一个单位。")
            return
        unit = units.get_unit(self.db, unit_id)["name"]
        path, kind = _target(dialogs.save_file(self, "导出单位失分明细", f"{unit}失分明细（{self.page.round_name()}）.{kind}",
                                               XLSX_FILTER if kind == "xlsx" else dialogs.PDF_OR_WORD), kind)
        if path:
            write = {"xlsx": scoring.export_unit_page, "pdf": scoring.write_unit_page_pdf,
                     "docx": scoring.write_unit_page_word}[kind]
            self.page.export_now("导出单位失分明细", lambda: write(self.db, round_id, unit_id, path), path)
