"""档案材料 on screen: the page (page.py) with its checklist, the details of one material, the
完成情况 tab, the full-window 档案审查 (review.py), and the questions they ask (dialogs.py)."""

from gui.views.materials.page import MaterialsPage

__all__ = ["MaterialsPage"]
