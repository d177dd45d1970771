"""What the parts of the 档案材料 page and the 档案审查 window show alike."""

from __future__ import annotations

from core import materials

STATUS_COLOURS = {materials.PENDING: "#8a8a8a", materials.SUBMITTED: "#1f5fa8", materials.PASSED: "#2e7d32",
                  materials.NEEDS_MORE: "#c62828", materials.ARCHIVED: "#5d4037"}


def status_html(status: str) -> str:
    """The status in bold, in its colour."""
    return f"<b style='color:{STATUS_COLOURS.get(status, '#333')}'>{status}</b>"
