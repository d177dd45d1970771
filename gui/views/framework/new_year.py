"""新年度 wizard: choose the year and the source edition, see what will happen (and what stays with
the old year), then make the new year in the background, after a backup if wanted."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QFrame, QGroupBox, QLabel, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget, QWizard, QWizardPage)

from core import framework, safety
from core.framework import new_year
from core.errors import AppError
from gui.jobs import run_job
from gui.theme import resize_within_screen, scaled


def _wrapping_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _bullets(lines: list[str]) -> str:
    items = "".join(f"<li style='margin-bottom:4px'>{html.escape(line)}</li>" for line in lines)
    return f"<ul style='margin-left:0px; -qt-list-indent:1'>{items}</ul>"


class ChoosePage(QWizardPage):
    """Step 1: which year, from which edition, and whether to back up first."""

    def __init__(self, wizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 1 步：选择新年度和来源版本")
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapping_label(
            "新年度会把来源版本的测评体系和责任分解表复制为新的年度版本，结转档案材料清单（只带要求，不带审核结论），"
            "把还没有销号的督查问题转入新年度，并把新版本设为当前版本、把当前年度改为新年度。"
            "上一年度的数据全部保留，随时可以在“测评体系”页切换查看。"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setMinimumWidth(scaled(120))
        self.source = QComboBox()
        self.source.setMinimumWidth(scaled(220))
        self.name = QLabel()
        form.addRow("新年度：", self.year)
        form.addRow("来源版本：", self.source)
        form.addRow("新版本名称：", self.name)
        layout.addLayout(form)
        self.backup = QCheckBox("先备份当前数据（推荐）")
        self.backup.setChecked(True)
        layout.addWidget(self.backup)
        note = _wrapping_label("备份保存在数据文件夹的 backups 文件夹中，可在“数据安全”页查看或恢复。"
                               "新年度一旦建立不能撤销，如需重做，只能从备份恢复。")
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.error = _wrapping_label()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch()
        self.year.valueChanged.connect(self._changed)
        self.source.activated.connect(self._source_changed)

    def initializePage(self) -> None:
        db = self.wizard_.ctx.db
        self.source.clear()
        for e in framework.list_editions(db):
            self.source.addItem(e["name"] + ("（当前）" if e["current"] else ""), e["id"])
        current = framework.current_edition_id(db)
        self.source.setCurrentIndex(max(self.source.findData(current), 0))
        self.year.setValue(new_year.default_year(db, self.source.currentData()))
        self._changed()

    def _source_changed(self, _index=None) -> None:
        self.year.setValue(new_year.default_year(self.wizard_.ctx.db, self.source.currentData()))
        self._changed()

    def _changed(self, _value=None) -> None:
        self.name.setText(f"“{new_year.edition_name(self.year.value())}”")
        self.error.hide()

    def validatePage(self) -> bool:
        try:
            if self.source.currentData() is None:
                raise AppError("还没有测评体系版本。请先在“测评体系”页导入责任分解表，或在“设置”中加载示例数据。")
            self.wizard_.plan = new_year.plan(self.wizard_.ctx.db, self.year.value(), self.source.currentData())
        except AppError as exc:
            self.error.setText(exc.message_zh)
            self.error.show()
            return False
        self.wizard_.backup_first = self.backup.isChecked()
        return True


class PlanPage(QWizardPage):
    """Step 2: what will happen, area by area, and what stays with the old year."""

    def __init__(self, wizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 2 步：确认将要做的事")
        self.setCommitPage(True)
        self.setButtonText(QWizard.CommitButton, "开始建立新年度")
        # In a scroll area: with large fonts or many lines the page scrolls instead of clipping.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        QVBoxLayout(self).addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.carried_box = QGroupBox()
        self.carried = _wrapping_label()
        QVBoxLayout(self.carried_box).addWidget(self.carried)
        self.staying_box = QGroupBox()
        self.staying = _wrapping_label()
        QVBoxLayout(self.staying_box).addWidget(self.staying)
        self.backup_note = _wrapping_label()
        layout.addWidget(self.carried_box)
        layout.addWidget(self.staying_box)
        layout.addWidget(self.backup_note)
        layout.addStretch()

    def initializePage(self) -> None:
        plan = self.wizard_.plan
        self.carried_box.setTitle(f"将建立“{plan.edition_name}”并带入新年度")
        self.carried.setText(_bullets(plan.carried_lines()))
        self.staying_box.setTitle(f"留在“{plan.source_name}”（不改动，随时可查）")
        self.staying.setText(_bullets(plan.staying_lines()))
        if self.wizard_.backup_first:
            self.backup_note.setText("开始前会先备份当前数据。全部改动在一个步骤中完成：中途出错或取消，不会留下半成品。")
            self.backup_note.setStyleSheet("")
        else:
            self.backup_note.setText("⚠ 您选择了不先备份。新年度建立后不能撤销，建议返回上一步勾选“先备份当前数据”。")
            self.backup_note.setStyleSheet("color: #b00020;")


class RunPage(QWizardPage):
    """Step 3: the backup and the new year run as a background job; the result is shown here."""

    def __init__(self, wizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 3 步：建立新年度")
        self.done = False
        layout = QVBoxLayout(self)
        self.status = _wrapping_label()
        self.result = _wrapping_label()
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        layout.addStretch()

    def isComplete(self) -> bool:
        return self.done

    def initializePage(self) -> None:
        wizard = self.wizard_
        plan, data, backup_first = wizard.plan, wizard.ctx.data, wizard.backup_first
        self.done = False
        self.status.setText("正在" + ("备份当前数据并" if backup_first else "") + f"建立“{plan.edition_name}”……")
        self.result.clear()

        def work(db, progress, cancel):
            path = None
            if backup_first:
                path = safety.make_backup(data, db, None, lambda d, t, text="": progress(d, t, f"备份：{text}"),
                                          cancel)
            return path, new_year.run(db, plan, progress, cancel)

        wizard.running = True
        job = run_job(wizard, "建立新年度", work, wizard.ctx.open_worker_db, self._succeeded, self._failed)
        job.signals.cancelled.connect(self._cancelled)

    def _finish(self) -> None:
        self.wizard_.running = False
        self.done = True
        self.completeChanged.emit()

    def _succeeded(self, outcome) -> None:
        path, result = outcome
        self.wizard_.result = result
        self.wizard_.backup_path = path
        self.status.setText(f"新年度“{result.plan.edition_name}”已建立。")
        lines = result.lines()
        if path:
            lines.append(f"建立前的数据已备份到：{path}")
        lines.append("下一步：在“责任书”页生成并印发新年度目标责任书；在“档案材料”页查看结转的材料清单。")
        self.result.setText(_bullets(lines))
        self._finish()

    def _failed(self, exc) -> bool:
        self.status.setText("没有建立新年度，数据没有任何改动。")
        if isinstance(exc, AppError):
            self.result.setText(html.escape(exc.message_zh))
            self.result.setStyleSheet("color: #b00020;")
            self._finish()
            return True
        self.result.setText("程序遇到意外错误，详情见错误对话框。")
        self._finish()
        return False  # the standard dialog shows the details

    def _cancelled(self) -> None:
        self.status.setText("已取消，数据没有任何改动。")
        self._finish()


class NewYearWizard(QWizard):
    def __init__(self, parent, ctx):
        super().__init__(parent)
        self.ctx = ctx
        self.plan: new_year.NewYearPlan | None = None
        self.result: new_year.NewYearResult | None = None
        self.backup_first = True
        self.backup_path = None
        self.running = False
        self.setWindowTitle("新年度")
        self.setWizardStyle(QWizard.ClassicStyle)
        self.setOption(QWizard.NoBackButtonOnLastPage)
        self.setOption(QWizard.NoCancelButtonOnLastPage)
        for button, text in ((QWizard.BackButton, "< 上一步"), (QWizard.NextButton, "下一步 >"),
                             (QWizard.CommitButton, "开始建立新年度"), (QWizard.FinishButton, "完成"),
                             (QWizard.CancelButton, "取消")):
            self.setButtonText(button, text)
        self.choose_page = ChoosePage(self)
        self.plan_page = PlanPage(self)
        self.run_page = RunPage(self)
        for page in (self.choose_page, self.plan_page, self.run_page):
            self.addPage(page)
        # Sized by the font, so large fonts (ui/font_scale) do not squeeze the pages.
        em = self.fontMetrics().horizontalAdvance("测")
        resize_within_screen(self, max(760, em * 50), max(580, self.fontMetrics().height() * 32))

    def reject(self) -> None:
        if self.running:  # the job ends on its own (its progress dialog has the cancel button)
            return
        super().reject()


def open_new_year_wizard(parent_widget, ctx) -> new_year.NewYearResult | None:
    """Show the 新年度 wizard (modal). Returns what was done, or None when nothing was."""
    wizard = NewYearWizard(parent_widget, ctx)
    wizard.exec()
    result = wizard.result
    wizard.deleteLater()
    return result
