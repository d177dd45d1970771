"""数据安全: back up now, restore, the health check, and the automatic backups."""

from __future__ import annotations

from PySide6.QtWidgets import (QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QVBoxLayout)

from core import safety, settings
from core.errors import AppError
from core.safety import health
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel
from gui.theme import scaled
from gui.views.base import Page
from gui.widgets.tables import make_table

BACKUP_COLUMNS = [Col("at", "时间", fmt=lambda v: v.strftime("%Y-%m-%d %H:%M"), width=140), Col("kind", "类型", width=80),
                  Col("size", "大小", fmt=lambda v: f"{v / 1024 / 1024:.1f} MB", align_right=True, width=80),
                  Col("path", "位置", fmt=str)]
PROBLEM_COLUMNS = [Col("area", "范围", width=70), Col("problem", "问题", width=200), Col("detail", "详情")]


class SafetyPage(Page):
    key = "safety"
    title = "数据安全"
    areas = ("*",)

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        self.state = QLabel()
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        bar = QHBoxLayout()
        for text, slot in [("立即备份…", self.backup_now), ("从备份恢复…", self.restore), ("数据体检", self.check)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch()
        layout.addLayout(bar)
        layout.addWidget(self._auto_backup_box())

        layout.addWidget(QLabel("已有备份（数据文件夹内）："))
        self.backup_model = RowsTableModel(BACKUP_COLUMNS, self)
        self.backups = make_table(self.backup_model, state_key="safety/backups")
        layout.addWidget(self.backups, 1)
        layout.addWidget(QLabel("体检结果："))
        self.problem_model = RowsTableModel(PROBLEM_COLUMNS, self)
        self.problems = make_table(self.problem_model, state_key="safety/problems")
        self.problems.setMaximumHeight(scaled(180))
        layout.addWidget(self.problems)

    def _auto_backup_box(self) -> QGroupBox:
        auto = QGroupBox("自动备份（退出程序时和每天一次：数据库快照 + 附件增量镜像）")
        form = QFormLayout(auto)
        self.second = QLineEdit()
        self.second.setPlaceholderText("可选：U 盘或另一块磁盘上的文件夹")
        pick = QPushButton("选择…")
        pick.clicked.connect(self._pick_second)
        row = QHBoxLayout()
        row.addWidget(self.second, 1)
        row.addWidget(pick)
        self.keep_daily, self.keep_monthly, self.warn_days = QSpinBox(), QSpinBox(), QSpinBox()
        for s in (self.keep_daily, self.keep_monthly, self.warn_days):
            s.setRange(1, 365)
        form.addRow("第二备份位置：", row)
        form.addRow("保留每日快照：", self.keep_daily)
        form.addRow("保留每月快照：", self.keep_monthly)
        form.addRow("超过几天未备份时提醒：", self.warn_days)
        save = QPushButton("保存自动备份设置")
        save.clicked.connect(self.save_settings)
        form.addRow("", save)
        return auto

    def refresh(self) -> None:
        super().refresh()
        values = settings.get_all(self.db)
        self.second.setText(values["backup_second_folder"])
        self.keep_daily.setValue(values["backup_keep_daily"])
        self.keep_monthly.setValue(values["backup_keep_monthly"])
        self.warn_days.setValue(values["backup_warn_days"])
        self.backup_model.set_rows(safety.list_backups(self.ctx.data))
        self.state.setText(safety.backup_status(self.ctx.data, self.db).summary)

    def _pick_second(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择第二备份位置", self.second.text())
        if folder:
            self.second.setText(folder)

    def save_settings(self) -> None:
        self.run_change("保存自动备份设置", settings.set_many, {
            "backup_second_folder": self.second.text().strip(), "backup_keep_daily": self.keep_daily.value(),
            "backup_keep_monthly": self.keep_monthly.value(), "backup_warn_days": self.warn_days.value()})

    # --- backing up -----------------------------------------------------------------------------
    def backup_now(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择保存备份的文件夹（如 U 盘）", str(self.ctx.data.backups))
        if folder:
            self._run_backup(folder, allow_missing=False)

    def _run_backup(self, folder: str, allow_missing: bool) -> None:
        def missing(exc) -> bool:
            if not isinstance(exc, safety.MissingAttachments):
                return False
            if dialogs.confirm(self, "备份", f"{len(exc.missing)} 个附件文件缺失或已被改动（如 {exc.missing[0]['name']}）。\n\n"
                                           "建议先点“数据体检”从自动备份补回。仍要制作一个不完整的备份吗？"
                                           "（清单中会记下缺少的文件，它不算一次成功的备份。）", "仍然备份"):
                self._run_backup(folder, allow_missing=True)
            return True

        run_job(self, "备份", lambda db, progress, cancel: safety.make_backup(
            self.ctx.data, db, folder, progress, cancel, allow_missing=allow_missing),
            self.ctx.open_worker_db, lambda path: self._backed_up(path, allow_missing), missing)

    def _backed_up(self, path, incomplete: bool) -> None:
        self.refresh()
        self.window_.update_status()
        if incomplete:
            dialogs.show_info(self, "备份", f"备份已完成并通过校验，但缺少附件（不完整，不算成功备份）：\n{path}")
        else:
            dialogs.show_info(self, "备份", f"备份已完成并通过校验：\n{path}")

    # --- restoring ------------------------------------------------------------------------------
    def restore(self) -> None:
        path = dialogs.open_file(self, "选择备份文件", "创城工作台备份 (*.ccbak *.db)", kind="backups")
        if not path:
            return
        try:
            manifest = safety.verify_backup(path, hashes=False) if not path.lower().endswith(".db") else None
            foreign = (not safety.is_own_backup(self.ctx.data, path) if self.db.shared
                       else safety.needs_foreign_confirmation(self.ctx.data, path))
        except AppError as exc:
            dialogs.show_error(self, "恢复", exc)
            return
        if manifest:
            counts = manifest.get("counts", {})
            summary = (f"制作时间：{manifest.get('created_at', '').replace('T', ' ')}\n程序版本：{manifest.get('version')}\n"
                       f"责任单位 {counts.get('units', 0)} 个，测评体系条目 {counts.get('framework_nodes', 0)} 条，"
                       f"附件 {manifest.get('attachment_files', 0)} 个，操作日志 {counts.get('audit_log', 0)} 条")
        else:
            summary = "自动快照（数据库 + 附件镜像）"
        if not dialogs.confirm(self, "从备份恢复", f"{summary}\n\n恢复会用这个备份替换当前的全部数据。恢复前程序会先校验备份，"
                                                  "并把当前数据自动备份到 backups/恢复前自动备份。确定恢复吗？", "恢复"):
            return
        if foreign and not dialogs.confirm(self, "从备份恢复", "这个备份不是由本机制作的（由其他安装制作，或清单被改动过），"
                                                           "无法确认来源。\n\n确认它来源可靠、要用它替换现有台账吗？", "仍然恢复"):
            return
        self.window_.restore_from(path, allow_foreign=foreign)

    # --- 数据体检 ---------------------------------------------------------------------------------
    def check(self) -> None:
        # Hashing every attachment takes seconds on a real archive: a background job.
        def work(db, progress, cancel):
            safety.clean_leftovers(self.ctx.data)  # what killed backups and restores left behind
            return health.check(db)

        run_job(self, "数据体检", work, self.ctx.open_worker_db, self._checked)

    def _checked(self, problems: list[dict]) -> None:
        self.problem_model.set_rows(problems)
        if not problems:
            dialogs.show_info(self, "数据体检", "数据体检通过：数据库完整，附件齐全。")
            return
        fixable = [p for p in problems if p.get("repair")]
        if fixable and dialogs.confirm(
                self, "数据体检", f"发现 {len(problems)} 个问题，其中 {len(fixable)} 个可以安全修复"
                                  "（从自动备份镜像补回附件；没有记录引用的文件移到数据文件夹的"
                                  f"“{health.QUARANTINE}”，保留 {health.QUARANTINE_DAYS} 天）。现在修复吗？", "修复"):
            try:
                n = health.repair(self.db, fixable)
            except AppError as exc:  # most files unreferenced: the database is suspect, nothing moved
                dialogs.show_error(self, "数据体检", exc)
                return
            self.problem_model.set_rows(health.check(self.db))
            dialogs.show_info(self, "数据体检", f"已修复 {n} 项。")
