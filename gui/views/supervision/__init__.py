"""督查督办 on screen: the page (page.py), one module per tab (findings_tab, notices_tab,
flagged_tab, sites_tab, bulletin_tab), the entry form, the lists' columns (models) and the
page's own dialogs."""

from gui.views.supervision.page import SupervisionPage

__all__ = ["SupervisionPage"]
