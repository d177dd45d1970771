"""A record's status moves only along the moves its area allows (materials, findings): one table of
moves, one refusal message."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import AppError


@dataclass(frozen=True)
class Transition:
    label: str  # the action as the user names it: 提交, 交办, 销号 …
    sources: tuple[str, ...]  # statuses it may start from
    target: str  # the status it leads to


class Workflow:
    def __init__(self, noun: str, transitions: dict[str, Transition]):
        self.noun = noun  # 材料, 督查问题 …: how the refusal names the record
        self.transitions = transitions

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def items(self):
        return self.transitions.items()

    def allowed(self, status: str) -> list[str]:
        """The actions that may start from this status, in the table's order."""
        return [key for key, t in self.transitions.items() if status in t.sources]

    def move(self, action: str, status: str, name: str) -> Transition:
        """The transition for `action` from `status`, or AppError saying why it cannot be made."""
        t = self.transitions.get(action)
        if t is None:
            raise ValueError(f"unknown action {action!r}")
        if status not in t.sources:
            raise AppError(f"{self.noun}“{name}”当前状态为“{status}”，不能{t.label}。")
        return t
