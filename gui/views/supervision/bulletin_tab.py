"""通报: the figures of a period at a glance, and the 通报 written as PDF (or Word to edit) or Excel."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from core import clock, supervision
from core.errors import AppError
from gui import dialogs
from gui.jobs import run_job
from gui.views.supervision.fields import date_edit, pydate, qdate
from gui.widgets.flow import FlowLayout


class BulletinTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        form = FlowLayout()
        today = clock.today()
        self.b_from, self.b_to = date_edit(today), date_edit(today)
        form.addWidget(QLabel("统计期间："))
        form.addWidget(self.b_from)
        form.addWidget(QLabel("至"))
        form.addWidget(self.b_to)
        for text, days in (("今日", 0), ("近 7 天", 6), ("近 30 天", 29)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, d=days: (self.b_from.setDate(qdate(today - dt.timedelta(days=d))),
                                                       self.b_to.setDate(qdate(today))))
            form.addWidget(b)
        form.addWidget(QLabel("排名按："))
        self.ranked_by = QComboBox()
        for key, label in supervision.BULLETIN_RANKED_BY.items():
            self.ranked_by.addItem(label, key)
        form.addWidget(self.ranked_by)
        form.addStretch()
        layout.addLayout(form)
        self.b_preview = QListWidget()
        layout.addWidget(self.b_preview)
        bar = FlowLayout()
        preview = QPushButton("统计")
        preview.clicked.connect(self.refresh)
        bar.addWidget(preview)
        for text, suffix in (("生成通报 PDF / Word…", ".pdf"), ("生成通报 Excel…", ".xlsx")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=suffix: self.write_bulletin(s))
            bar.addWidget(b)
        bar.addStretch()
        layout.addLayout(bar)
        self.b_from.dateChanged.connect(lambda _: self.refresh())
        self.b_to.dateChanged.connect(lambda _: self.refresh())
        self.ranked_by.currentIndexChanged.connect(lambda _: self.refresh())

    def refresh(self) -> None:
        """The preview of the period's 通报."""
        self.b_preview.clear()
        try:
            data = supervision.bulletin_data(self.page.db, pydate(self.b_from), pydate(self.b_to),
                                             by=self.ranked_by.currentData())
        except AppError as exc:
            self.b_preview.addItem(exc.message_zh)
            return
        c = data["counts"]
        self.b_preview.addItem(f"新发现问题 {c['new']} 个（现场整改 {c['on_spot']} 个），销号 {c['closed']} 个；"
                               f"截至 {data['as_of']} 未销号 {c['open']} 个，逾期 {c['overdue']} 个，挂牌督办 {c['flagged']} 个。")
        self.b_preview.addItem(f"{data['ranked_by']}排名（按逾期、未销号）：")
        for r in data["ranking"][:15]:
            self.b_preview.addItem(f"  {r['rank']}. {r['name']}　未销号 {r['open']}　逾期 {r['overdue']}　挂牌 {r['flagged']}")

    def write_bulletin(self, suffix: str) -> None:
        start, end, by = pydate(self.b_from), pydate(self.b_to), self.ranked_by.currentData()
        name = f"创城督查通报{start.isoformat()}至{end.isoformat()}{suffix}"
        excel = suffix == ".xlsx"
        path = dialogs.save_file(self, "保存通报", name, "Excel 工作簿 (*.xlsx)" if excel else dialogs.PDF_OR_WORD)
        if not path:
            return
        if excel and not path.lower().endswith(suffix):
            path += suffix
        elif not excel:
            path = dialogs.document_path(path)
        run_job(self, "生成通报", lambda db, progress, cancel: supervision.write_bulletin(
            db, start, end, path, progress=progress, cancel=cancel, by=by), self.page.ctx.open_worker_db,
            lambda data: dialogs.show_info(self, "通报", f"通报已保存到：\n{path}"))
