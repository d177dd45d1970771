"""The 督查督办 page: the counts on top and a tab per task (问题清单, 督办通知单, 挂牌督办, 点位, 通报)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from core import supervision, units
from gui.theme import set_scaled_style
from gui.views.base import Page
from gui.views.supervision.bulletin_tab import BulletinTab
from gui.views.supervision.findings_tab import OPEN, FindingsTab
from gui.views.supervision.flagged_tab import FlaggedTab
from gui.views.supervision.notices_tab import NoticesTab
from gui.views.supervision.sites_tab import SitesTab
from gui.widgets.locate import reset_filters, select_row_by_id


class SupervisionPage(Page):
    key = "supervision"
    title = "督查督办"
    areas = ("supervision", "units", "framework", "settings")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        set_scaled_style(self.summary, "font-size: 11pt; padding: 2px;")
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.findings = FindingsTab(self)
        self.notices = NoticesTab(self)
        self.flagged = FlaggedTab(self)
        self.sites = SitesTab(self)
        self.bulletin = BulletinTab(self)
        for tab, title in ((self.findings, "问题清单"), (self.notices, "督办通知单"), (self.flagged, "挂牌督办"),
                           (self.sites, "点位"), (self.bulletin, "通报")):
            self.tabs.addTab(tab, title)
        # 挂牌督办 lists every 挂牌 finding and the 通报 preview reads the whole period: about a second
        # between them at 10x data, so each is filled when its tab is shown, not on every refresh.
        self._stale_tabs: set = set()
        self.tabs.currentChanged.connect(self._load_tab)
        # The lists' parts that the window, 首页 and the search reach on the page.
        f = self.findings
        self.entry, self.photos = f.entry, f.photos
        self.findings_table, self.findings_model = f.findings_table, f.findings_model
        self.f_status, self.f_unit, self.f_locality, self.f_type = f.f_status, f.f_unit, f.f_locality, f.f_type
        self.f_overdue, self.f_flagged, self.f_text = f.f_overdue, f.f_flagged, f.f_text
        self.notice_table, self.notice_model = self.notices.notice_table, self.notices.notice_model
        self.flag_model = self.flagged.flag_model
        QShortcut(QKeySequence.Find, self, activated=self.f_text.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.focus_entry)

    def refresh(self) -> None:
        super().refresh()
        self.findings.reload_choices()
        self.findings.refresh()
        self.notices.refresh()
        self.sites.refresh()
        self._stale_tabs = {self.flagged, self.bulletin}
        self._load_tab(self.tabs.currentIndex())
        c = supervision.counts(self.db)
        self.summary.setText(f"督查问题 {c['total']} 个：未销号 {c['open']}　待交办 {c['waiting']}　"
                             f"<span style='color:#c00000'>逾期 {c['overdue']}</span>　"
                             f"<span style='color:#c05000'>挂牌督办 {c['flagged']}</span>")
        self.tabs.setTabText(self.tabs.indexOf(self.flagged), f"挂牌督办（{c['flagged']}）")

    def _load_tab(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if tab in self._stale_tabs:
            self._stale_tabs.discard(tab)
            tab.refresh()

    def focus_entry(self) -> None:
        self.tabs.setCurrentWidget(self.findings)
        self.entry.site.setFocus()

    def selected_finding_ids(self) -> list[int]:
        return self.findings.selected_finding_ids()

    def select_finding(self, finding_id: int) -> None:
        self.findings.select_finding(finding_id)

    def issue_notice(self) -> None:
        self.findings.issue_notice()

    def open_record(self, kind: str, record_id: int) -> bool:
        """A finding (问题) in the findings list, or a notice (通知) in the notices list."""
        if kind == "通知":
            self.tabs.setCurrentWidget(self.notices)
            return select_row_by_id(self.notice_table, record_id)
        self.tabs.setCurrentWidget(self.findings)
        reset_filters(self.f_status, self.f_unit, self.f_locality, self.f_type, self.f_overdue, self.f_flagged,
                      self.f_text)
        self.findings.refresh()
        self.select_finding(record_id)
        if self.selected_finding_ids() != [record_id]:  # older than the newest LIST_LIMIT shown: add it
            self.findings.show_also(record_id)
            self.select_finding(record_id)
        return self.selected_finding_ids() == [record_id]

    def open_list(self, which: str, unit_id: int | None = None) -> None:
        """The list behind a 首页 figure: 未销号 (open), 逾期 (overdue), 挂牌 (flagged) or one unit's open findings."""
        if which == "flagged":
            self.tabs.setCurrentWidget(self.flagged)
            return
        self.tabs.setCurrentWidget(self.findings)
        reset_filters(self.f_unit, self.f_locality, self.f_type, self.f_overdue, self.f_flagged, self.f_text)
        self.f_status.setCurrentIndex(self.f_status.findData(OPEN))
        if which == "overdue":
            self.f_overdue.setChecked(True)
        elif which == "unit":
            if self.f_unit.findData(unit_id) < 0:  # a retired unit still owing: list it for this view
                self.f_unit.addItem(units.get_unit(self.db, unit_id)["name"] + "（已停用）", unit_id)
            self.f_unit.setCurrentIndex(self.f_unit.findData(unit_id))

    def show_unit_open_findings(self, unit_id: int) -> None:
        """A unit's open findings in the list, the other filters as they are (from 各单位欠账)."""
        self.tabs.setCurrentWidget(self.findings)
        self.f_status.setCurrentIndex(self.f_status.findData(OPEN))
        self.f_unit.setCurrentIndex(self.f_unit.findData(unit_id))
