"""Errors a user may be shown.

Anything a user can cause (a bad file, a missing column, an unknown unit, a full disk) is raised as
AppError with a Chinese message that says what is wrong and what to do. The CLI turns it into exit
status 2 and the GUI into a message box; anything else is a bug and reaches the crash dialog.
"""


class AppError(Exception):
    """A problem the user can fix. `message_zh` is shown as is; `details` is optional extra text."""

    def __init__(self, message_zh: str, details: str = "", *, problems=None):
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.details = details
        # Validation problems (list of core.xlsx.reader.Problem) when the error comes from an import.
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return self.message_zh if not self.details else f"{self.message_zh}\n{self.details}"


class Cancelled(Exception):
    """Raised by long-running core functions when the caller's cancel flag is set."""
