"""The 测评体系 as a tree: 测评项目 → 测评内容 → 测评标准, with totals of 分值 per level."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from gui.models.table import fmt_points

COLUMNS = ["编号 / 名称", "分值", "测评方法", "牵头单位", "配合单位", "专项推进组"]


class _Node:
    __slots__ = ("row", "parent", "children", "data")

    def __init__(self, data, parent):
        self.data = data
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0


class FrameworkTreeModel(QAbstractItemModel):
    NODE_ID_ROLE = Qt.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = _Node(None, None)
        self._by_id: dict[int, _Node] = {}
        self._bold = QFont()  # made once: data() runs for every painted cell
        self._bold.setBold(True)

    def set_nodes(self, nodes: list[dict], visible_ids: set[int] | None = None) -> None:
        """nodes as core.framework.tree_rows returns them; visible_ids from a filter (None: all)."""
        self.beginResetModel()
        self._root = _Node(None, None)
        self._by_id = {}
        for n in nodes:  # parents come first: tree_rows orders by level
            if visible_ids is not None and n["id"] not in visible_ids:
                continue
            parent = self._root if n["parent_id"] is None else self._by_id.get(n["parent_id"])
            if parent is None:
                continue
            node = _Node(n, parent)
            node.row = len(parent.children)
            parent.children.append(node)
            self._by_id[n["id"]] = node
        self.endResetModel()

    def node_data(self, index: QModelIndex) -> dict | None:
        return index.internalPointer().data if index.isValid() else None

    def index_of(self, node_id: int) -> QModelIndex:
        node = self._by_id.get(node_id)
        return self.createIndex(node.row, 0, node) if node else QModelIndex()

    def index(self, row, column, parent=QModelIndex()):
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        parent_node = parent.internalPointer() if parent.isValid() else self._root
        if row >= len(parent_node.children):
            return QModelIndex()
        return self.createIndex(row, column, parent_node.children[row])

    def parent(self, index=QModelIndex()):
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent=QModelIndex()):
        if parent.isValid():
            return len(parent.internalPointer().children) if parent.column() == 0 else 0
        return len(self._root.children)

    def columnCount(self, parent=QModelIndex()):
        return len(COLUMNS)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        n = index.internalPointer().data
        col = index.column()
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if col == 0:
                if n["level"] == 3:
                    return f"{n['code']}  {n['title']}"
                return f"{n['title']}（{n['standard_count']} 条）"
            if col == 1:
                return fmt_points(n["points"]) if n["level"] == 3 else f"合计 {n['total_points']:g}"
            if n["level"] != 3:
                return ""
            return {2: n["methods"], 3: "、".join(n["lead"]) or "（未指定）", 4: "、".join(n["support"]),
                    5: n["working_group"]}[col]
        if role == self.NODE_ID_ROLE:
            return n["id"]
        if role == Qt.FontRole and n["level"] < 3:
            return self._bold
        if role == Qt.ForegroundRole:
            if n["retired"]:
                return QBrush(QColor("#8a8a8a"))
            if n["level"] == 3 and col == 3 and not n["lead"]:
                return QBrush(QColor("#c0392b"))
        if role == Qt.BackgroundRole and n["level"] == 3 and col == 3 and not n["lead"]:
            return QBrush(QColor("#fdecea"))
        if role == Qt.TextAlignmentRole and col == 1:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None
