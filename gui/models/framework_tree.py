"""The 测评体系 as a tree: 测评项目 → 测评内容 → 测评标准, with totals of 分值 per level."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from gui.models.table import fmt_points

COLUMNS = ["编号 / 名称", "分值", "测评方法", "牵头单位", "配合单位", "专项推进组"]


class _Node:
    __slots__ = ("row", "parent", "children", "data", "texts")

    def __init__(self, data, parent):
        self.data = data
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0
        self.texts: tuple | None = None


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

    # Roles as plain ints, compared before anything else: data() runs ~2,000 times per repaint and
    # comparing against Qt's enum members goes through Python's enum machinery each time.
    _DISPLAY, _TOOLTIP, _FONT = int(Qt.DisplayRole), int(Qt.ToolTipRole), int(Qt.FontRole)
    _FOREGROUND, _BACKGROUND, _ALIGN = int(Qt.ForegroundRole), int(Qt.BackgroundRole), int(Qt.TextAlignmentRole)
    _NODE_ID = int(NODE_ID_ROLE)
    _ROLES = frozenset((_DISPLAY, _TOOLTIP, _FONT, _FOREGROUND, _BACKGROUND, _ALIGN, _NODE_ID))
    _GREY, _RED, _PINK = QBrush(QColor("#8a8a8a")), QBrush(QColor("#c0392b")), QBrush(QColor("#fdecea"))
    _RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)

    @staticmethod
    def _texts(n: dict) -> tuple:
        """The six cells of a node, made once per node rather than on every repaint."""
        if n["level"] == 3:
            return (f"{n['code']}  {n['title']}", fmt_points(n["points"]), n["methods"],
                    "、".join(n["lead"]) or "（未指定）", "、".join(n["support"]), n["working_group"])
        return (f"{n['title']}（{n['standard_count']} 条）", f"合计 {n['total_points']:g}", "", "", "", "")

    def data(self, index, role=Qt.DisplayRole):
        role = int(role)
        if role not in self._ROLES or not index.isValid():
            return None
        node = index.internalPointer()
        n = node.data
        col = index.column()
        if role == self._DISPLAY or role == self._TOOLTIP:
            texts = node.texts
            if texts is None:
                texts = node.texts = self._texts(n)
            return texts[col]
        if role == self._NODE_ID:
            return n["id"]
        if role == self._FONT:
            return self._bold if n["level"] < 3 else None
        no_lead = col == 3 and n["no_lead"]
        if role == self._FOREGROUND:
            return self._GREY if n["retired"] else (self._RED if no_lead else None)
        if role == self._BACKGROUND:
            return self._PINK if no_lead else None
        return self._RIGHT if col == 1 else None  # _ALIGN

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None
