"""The page's own dialogs: the small forms of 签收, 反馈, 复查, 作废 …, the 点位 form, and saving a
list as it is shown. Tabs call them through this module, so a test patches them here."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from core import settings, units
from core.errors import AppError
from core.text import split_multi
from core.xlsx import supervision_io
from gui import dialogs
from gui.models.table import RowsTableModel


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
        form.addRow(dialogs.accept_buttons(self))
        self.resize(460, 0)


def ask_site(parent, db, site: dict | None):
    """The 点位 form, filled from `site` when editing: (fields, 属地 id, unit ids), or None."""
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
    dialog = FormDialog(parent, "编辑点位" if site else "新增点位",
                        [("点位名称：", name), ("点位类型：", kind), ("地址：", address), ("属地：", locality),
                         ("责任单位：", unit_edit)])
    if not dialog.exec():
        return None
    try:
        unit_ids = [units.resolve_one(db, n) for n in split_multi(unit_edit.text())]
    except AppError as exc:
        dialogs.show_error(parent, dialog.windowTitle(), exc)
        return None
    return ({"name": name.text(), "site_type": kind.currentText(), "address": address.text()},
            locality.currentData(), unit_ids)


def export_model(parent, title: str, model: RowsTableModel) -> None:
    """Save a list as the page shows it (its columns, its rows) to an .xlsx the user names."""
    path = dialogs.save_file(parent, f"导出{title}", f"{title}.xlsx", "Excel 工作簿 (*.xlsx)")
    if not path:
        return
    cols = model.columns
    rows = [{c.key: (c.fmt(r.get(c.key)) if c.fmt else r.get(c.key)) for c in cols} for r in model.rows()]
    try:
        n = supervision_io.export_table(path, title, [c.title for c in cols], [c.key for c in cols], rows)
    except AppError as exc:
        dialogs.show_error(parent, f"导出{title}", exc)
        return
    dialogs.show_info(parent, f"导出{title}", f"已导出 {n} 行到：\n{path}")
