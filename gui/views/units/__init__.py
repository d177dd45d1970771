"""责任单位 page: the units, their groups, import and export (page.py) and the edit dialogs."""
