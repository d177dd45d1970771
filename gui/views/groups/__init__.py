"""专项推进组: the groups, their 组长 and member units, and what each group's standards show."""

from gui.views.groups.page import GroupsPage

__all__ = ["GroupsPage"]
