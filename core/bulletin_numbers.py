"""发文字号 of the 通报 (督查通报 and 失分通报): one gap-free sequence a year, apart from the
督办通知单's, e.g. X创城通〔2026〕3号.

A 通报 is numbered when it is first written: the number is taken from the year's counter row in
the write transaction that records it, and the same 通报 (the same kind and period) written again
keeps its number, so printing a corrected copy never uses up a number."""

from __future__ import annotations

from collections.abc import Callable

from core import audit, clock, settings

SUPERVISION_BULLETIN, LOSS_BULLETIN = "督查通报", "失分通报"


def format_number(code: str, year: int, seq: int) -> str:
    return f"{code}〔{year}〕{seq}号"


def existing_number(db, kind: str, period: str) -> str | None:
    return db.value("SELECT number FROM bulletin_numbers WHERE kind = :kind AND period = :period",
                    {"kind": kind, "period": period})


def write_numbered(db, kind: str, period: str, year: int, label: str, write: Callable[[str], object]):
    """Call write(number) with the 通报's 发文字号: the one it already has, or the year's next one,
    recorded (with its audit row) only when the file was written, so a failed export gives the
    number back. Returns what write returns."""
    with db.write():
        number = existing_number(db, kind, period)
        if number is not None:
            return write(number)
        seq = db.take_number(f"bulletin:{year}", start_after=(
            "SELECT max(seq) FROM bulletin_numbers WHERE year = :year", {"year": year}))
        number = format_number(settings.get(db, "bulletin_code"), year, seq)
        result = write(number)
        db.insert("bulletin_numbers", {"kind": kind, "period": period, "year": year, "seq": seq,
                                       "number": number, "title": label, "created_at": clock.stamp()},
                  returning_id=False)
        audit.log(db, "通报编号", "bulletin_numbers", number, None,
                  {"文号": number, "通报": label}, f"{label}：{number}")
        return result
