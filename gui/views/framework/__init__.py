"""测评体系 pages: the tree of an edition (page.py, with its detail panel in detail.py), 责任分解 per
unit (assignments.py) and the 新年度 wizard (new_year.py)."""
