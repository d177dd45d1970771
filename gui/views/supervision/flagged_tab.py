"""挂牌督办: the findings 挂牌 now, the rules that 挂牌 them, and what each unit owes."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from core import settings, supervision
from core.supervision import FindingFilter
from gui.models.table import RowsTableModel
from gui.views.supervision import dialogs as supervision_dialogs
from gui.views.supervision.models import FINDING_COLUMNS, OWES_COLUMNS, FindingsModel
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table, selected_rows

RULE_SETTINGS = [("flag_supervision_count", "督办次数达到", " 次"),
                 ("flag_overdue_workdays", "逾期超过", " 个工作日"),
                 ("flag_repeat_days", "同一点位", " 天内重复出现")]


class FlaggedTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        self.flag_model = FindingsModel(FINDING_COLUMNS, self)
        self.flag_table = make_table(self.flag_model, state_key="supervision/flagged")
        layout.addWidget(self.flag_table, 3)
        rules_box = QGroupBox("挂牌规则（满足任一条即挂牌督办）")
        rules = FlowLayout(rules_box)
        self.rule_edits = {}
        for key, prefix, suffix in RULE_SETTINGS:
            spin = QSpinBox()
            spin.setRange(1, 365)
            spin.setSuffix(suffix)
            self.rule_edits[key] = spin
            rule = QHBoxLayout()  # a rule's words and its number stay on one line
            rule.addWidget(QLabel(prefix))
            rule.addWidget(spin)
            rules.addLayout(rule)
        save = QPushButton("保存规则")
        save.clicked.connect(self.save_rules)
        rules.addWidget(save)
        export = QPushButton("导出挂牌清单…")
        export.clicked.connect(lambda: supervision_dialogs.export_model(self, "挂牌督办", self.flag_model))
        rules.addWidget(export)
        rules.addStretch()
        layout.addWidget(rules_box)
        owes = QGroupBox("各单位欠账（未销号问题）")
        o_layout = QVBoxLayout(owes)
        self.owes_model = RowsTableModel(OWES_COLUMNS, self)
        self.owes_table = make_table(self.owes_model, state_key="supervision/owes")
        self.owes_table.doubleClicked.connect(lambda _: self.show_unit_findings())
        o_layout.addWidget(self.owes_table)
        hint = FlowLayout()
        hint.addWidget(QLabel("双击单位查看它的全部问题。"))
        hint.addStretch()
        b = QPushButton("导出 Excel…")
        b.clicked.connect(lambda: supervision_dialogs.export_model(self, "各单位欠账", self.owes_model))
        hint.addWidget(b)
        o_layout.addLayout(hint)
        layout.addWidget(owes, 2)

    def refresh(self) -> None:
        db = self.page.db
        self.flag_model.set_rows(supervision.list_findings(db, FindingFilter(flagged=True))[0])
        self.owes_model.set_rows(supervision.unit_owes(db))
        for key, spin in self.rule_edits.items():
            spin.setValue(settings.get(db, key))

    def save_rules(self) -> None:
        self.page.run_change("保存挂牌规则", settings.set_many, {k: s.value() for k, s in self.rule_edits.items()})

    def show_unit_findings(self) -> None:
        chosen = selected_rows(self.owes_table)
        if chosen:
            self.page.show_unit_open_findings(chosen[0]["unit_id"])
