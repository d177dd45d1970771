"""The questions the 档案材料 page and the 档案审查 window ask (tests answer them by patching these
functions), and the 材料体检 result."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QInputDialog, QLabel, QSpinBox,
                               QVBoxLayout)

from core import materials
from core.errors import AppError
from gui import dialogs
from gui.models.table import Col, RowsTableModel
from gui.widgets.tables import make_table


def ask_comment(parent, title: str, text: str = "") -> str | None:
    """The 审核意见 for 需补充 (None when cancelled)."""
    value, ok = QInputDialog.getMultiLineText(parent, title, "审核意见（责任单位会看到，请写明需要补充什么）：", text)
    return value if ok else None


def ask_material_title(parent, standard_code: str) -> str | None:
    """The name of a material added by hand to a standard (None when cancelled or left empty)."""
    title, ok = QInputDialog.getText(parent, "新增材料", f"在标准 {standard_code} 下新增材料，材料名称：")
    return title if ok and title.strip() else None


def ask_source_edition(parent, names: list[str]) -> str | None:
    """Which edition's checklist to carry into the current one."""
    name, ok = QInputDialog.getItem(parent, "结转上年清单", "把哪个版本的材料清单结转到当前版本？", names, len(names) - 1,
                                    False)
    return name if ok else None


def ask_return_folder(parent) -> str:
    """The folder of the files a unit's return names ('' when none)."""
    return QFileDialog.getExistingDirectory(parent, "报送文件所在文件夹") or ""


class PlacementDialog(QDialog):
    """归档: 盒号, 件号 (next free by default), 页数."""

    def __init__(self, parent, material: dict):
        super().__init__(parent)
        self.setWindowTitle("归档")
        form = QFormLayout(self)
        form.addRow("材料：", QLabel(material["title"]))
        self.box = QSpinBox(minimum=1, maximum=9999, value=material["box"] or 1)
        self.item = QSpinBox(minimum=0, maximum=9999, value=0, specialValueText="自动（下一件）")
        self.pages = QSpinBox(minimum=0, maximum=99999, value=material["pages"] or 0, specialValueText="不填")
        form.addRow("盒号：", self.box)
        form.addRow("件号：", self.item)
        form.addRow("页数：", self.pages)
        buttons = dialogs.accept_buttons(self)
        buttons.button(QDialogButtonBox.Ok).setText("归档")
        form.addRow(buttons)

    def values(self) -> dict:
        return {"box": self.box.value(), "item": self.item.value() or None, "pages": self.pages.value() or None}


def ask_placement(parent, material: dict) -> dict | None:
    dialog = PlacementDialog(parent, material)
    return dialog.values() if dialog.exec() == QDialog.Accepted else None


HEALTH_WIDTHS = {"check": 120, "code": 70, "material_code": 80, "title": 200, "unit": 120}


class HealthDialog(QDialog):
    """材料体检 results: a list to act on (double-click jumps to the material), saveable as .xlsx."""

    def __init__(self, page, found: list[dict]):
        super().__init__(page)
        self.page = page
        self.found = found
        self.setWindowTitle("材料体检")
        v = QVBoxLayout(self)
        counts: dict[str, int] = {}
        for f in found:
            counts[f["check"]] = counts.get(f["check"], 0) + 1
        v.addWidget(QLabel("未发现问题。" if not found else
                           "发现：" + "，".join(f"{k} {n} 项" for k, n in counts.items()) + "。双击一行可跳到该材料。"))
        self.model = RowsTableModel([Col(key, label, width=HEALTH_WIDTHS.get(key))
                                     for key, label in materials.HEALTH_COLUMNS], self)
        self.model.set_rows(found)
        self.table = make_table(self.model, state_key="materials/health")
        self.table.doubleClicked.connect(self._jump)
        v.addWidget(self.table)
        buttons = QDialogButtonBox()
        buttons.addButton("另存为 Excel…", QDialogButtonBox.ActionRole).clicked.connect(self._save)
        buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.resize(900, 520)

    def _jump(self, index) -> None:
        r = self.table.model().data(index, RowsTableModel.ROW_ROLE)
        if r and r["material_id"]:
            self.page.show_material(r["material_id"])
            self.accept()

    def _save(self) -> None:
        path = dialogs.save_file(self, "保存体检结果", "材料体检.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            try:
                materials.export_health(path, self.found)
            except AppError as exc:
                dialogs.show_error(self, "保存体检结果", exc)
                return
            dialogs.show_info(self, "保存体检结果", f"已保存到：\n{path}")
