"""What the 督查督办 lists show: their columns, and the finding list's colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from gui.models.table import Col, RowsTableModel

OVERDUE_COLOUR, FLAG_BACKGROUND = QColor("#c00000"), QColor("#fde7d9")

FINDING_COLUMNS = [  # 状态 and 责任单位 first: in sight on a laptop screen at a large 界面字号
    Col("id", "编号", align_right=True, width=56), Col("status", "状态", width=60), Col("unit", "责任单位", width=120),
    Col("found_on", "发现日期", width=92), Col("site", "点位", width=120), Col("description", "问题描述", width=260),
    Col("due_on", "整改期限", width=92), Col("severity", "程度", width=44), Col("source", "来源", width=72),
    Col("site_type", "点位类型", width=80), Col("locality", "属地", width=110), Col("standard_code", "标准", width=52),
    Col("supervision_count", "督办", align_right=True, width=44), Col("notice_number", "通知单文号", width=150),
    Col("flag_reasons", "挂牌原因"),
]
NOTICE_COLUMNS = [
    Col("number", "文号", width=160), Col("state", "状态", width=60), Col("unit", "责任单位", width=150),
    Col("issued_on", "交办日期", width=92), Col("due_on", "整改期限", width=92),
    Col("finding_count", "问题数", align_right=True, width=56), Col("round", "督办轮次", align_right=True, width=64),
    Col("receipt_signer", "签收人", width=80), Col("receipt_at", "签收时间", width=92), Col("void_reason", "作废原因"),
]
OWES_COLUMNS = [
    Col("unit", "责任单位", width=170), Col("open", "未销号", align_right=True, width=60),
    Col("overdue", "逾期", align_right=True, width=50), Col("flagged", "挂牌", align_right=True, width=50),
    Col("waiting", "待交办", align_right=True, width=60), Col("awaiting_review", "待复查", align_right=True, width=60),
    Col("next_due", "最近期限"),
]
SITE_COLUMNS = [
    Col("name", "点位名称", width=150), Col("retired", "状态", fmt=lambda v: "已停用" if v else "在用", width=60),
    Col("site_type", "点位类型", width=100), Col("locality", "属地", width=130),
    Col("unit_names", "默认责任单位", width=200), Col("finding_count", "问题数", align_right=True, width=60),
    Col("address", "地址"),
]
HISTORY_COLUMNS = [
    Col("on_date", "日期", width=90), Col("to_status", "状态", width=60), Col("action", "步骤", width=110),
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
