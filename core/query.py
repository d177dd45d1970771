"""Building the WHERE clause of a list filter: each condition comes with its own named parameters,
and a value left empty adds nothing."""

from __future__ import annotations

from core.text import like_contains


class Where:
    def __init__(self):
        self.conditions: list[str] = []
        self.params: dict = {}

    def add(self, condition: str, **params) -> "Where":
        """A condition with its parameters (named as in the condition)."""
        self.conditions.append(condition)
        self.params.update(params)
        return self

    def equals(self, column: str, name: str, value) -> "Where":
        """column = :name when value is given (not None and not "")."""
        if value is not None and value != "":
            self.add(f"{column} = :{name}", **{name: value})
        return self

    def contains(self, columns: list[str] | str, name: str, text: str) -> "Where":
        """Any of the columns contains the text (literally, case-insensitively for Latin letters)."""
        text = (text or "").strip()
        if text:
            columns = [columns] if isinstance(columns, str) else columns
            self.add("(" + " OR ".join(f"{c} LIKE :{name} ESCAPE '\\'" for c in columns) + ")",
                     **{name: like_contains(text)})
        return self

    def one_of(self, column: str, name: str, values) -> "Where":
        """column IN (…) with one parameter per value; an empty list matches nothing."""
        values = list(values)
        if not values:
            return self.add("1 = 0")
        names = [f"{name}_{i}" for i in range(len(values))]
        return self.add(f"{column} IN ({', '.join(':' + n for n in names)})", **dict(zip(names, values)))

    def sql(self, keyword: str = "WHERE") -> str:
        """' WHERE a AND b', or '' when there is no condition."""
        return f" {keyword} " + " AND ".join(self.conditions) if self.conditions else ""

    def __bool__(self) -> bool:
        return bool(self.conditions)
