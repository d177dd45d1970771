"""点位: the register of places inspected, and the holiday schedule deadlines are counted with."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from core import clock
from core.supervision import sites, workdays
from gui import dialogs
from gui.models.table import RowsTableModel
from gui.views.supervision import dialogs as supervision_dialogs
from gui.views.supervision.models import SITE_COLUMNS
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table, selected_rows


class SitesTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        self.site_model = RowsTableModel(SITE_COLUMNS, self, muted=lambda r: bool(r["retired"]))
        self.site_table = make_table(self.site_model, state_key="supervision/sites")
        self.site_table.doubleClicked.connect(lambda _: self.edit_site())
        layout.addWidget(self.site_table)
        bar = FlowLayout()
        for text, slot in [("新增点位…", self.add_site), ("编辑…", self.edit_site), ("停用/恢复", self.toggle_site),
                           ("导出 Excel…", lambda: supervision_dialogs.export_model(self, "点位库", self.site_model)),
                           ("导入放假安排…", self.import_holidays)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch()
        self.calendar_label = QLabel()
        bar.addWidget(self.calendar_label)
        layout.addLayout(bar)

    def refresh(self) -> None:
        db = self.page.db
        self.site_model.set_rows(sites.list_sites(db, include_retired=True))
        years = workdays.known_years(db)
        self.calendar_label.setText(f"节假日安排已知年份：{years[0]['year']}–{max(y['year'] for y in years)}"
                                    if years else "")

    def add_site(self) -> None:
        values = supervision_dialogs.ask_site(self, self.page.db, None)
        if values:
            self.page.run_change("新增点位", sites.create_site, *values)

    def edit_site(self, site_id: int | None = None) -> None:
        """Edit the selected site (or `site_id` again, after someone else saved it first)."""
        if not site_id:
            chosen = selected_rows(self.site_table)
            if not chosen:
                dialogs.show_info(self, "点位", "请先选中一个点位。")
                return
            site_id = chosen[0]["id"]
        site = sites.get_site(self.page.db, site_id)
        values = supervision_dialogs.ask_site(self, self.page.db, site)
        if values:
            self.page.run_change("编辑点位", sites.update_site, site_id, *values, expected_version=site["version"],
                                 on_conflict=lambda: self.edit_site(site_id))

    def toggle_site(self) -> None:
        chosen = selected_rows(self.site_table)
        if chosen and (chosen[0]["retired"] or dialogs.confirm(self, "停用点位", f"停用“{chosen[0]['name']}”？历史问题保留。",
                                                               "停用")):
            self.page.run_change("停用点位", sites.retire_site, chosen[0]["id"], not chosen[0]["retired"])

    def import_holidays(self) -> None:
        year, ok = QInputDialog.getInt(self, "导入放假安排", "年份：", clock.today().year + 1, 2000, 2100)
        if not ok:
            return
        path = dialogs.open_file(self, f"导入 {year} 年放假安排（列：日期、类型 放假/上班、名称）", "Excel 工作簿 (*.xlsx)")
        if path and self.page.run_change("导入放假安排", workdays.import_schedule, year, path):
            dialogs.show_info(self, "导入放假安排", f"{year} 年的放假安排已录入，整改期限将按它计算。")
