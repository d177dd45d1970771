"""Points of one scored line: the arithmetic every part of 丢分分析 shares.

A line's loss is 满分 − 得分; a 负面清单 line has 满分 0 and 得分 = −扣分, so the same arithmetic
holds everywhere. Points are rounded to 6 decimals wherever they are summed, so 0.1 + 0.2 compares
equal to 0.3.
"""

from __future__ import annotations

import re
from functools import lru_cache

EPS = 1e-6
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+(?:\.\d+)*[、.．\s])\s*")


def rounded(value: float) -> float:
    """Points rounded to 6 decimals."""
    return round(value + 0.0, 6)


@lru_cache(maxsize=65536)  # a round repeats a few hundred names over tens of thousands of lines
def norm_title(text: str) -> str:
    """A category or site name reduced for matching: no numbering ("一、"), spaces or bracket widths."""
    text = _NUMBERING.sub("", str(text or ""))
    return "".join(text.split()).replace("（", "(").replace("）", ")")


class ScoreError(ValueError):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def settle_scores(full, score, loss, *, negative: bool, default_full=None) -> tuple[float, float, float]:
    """(满分, 得分, 失分) from any two of them, checked. Raises ScoreError naming the column at fault.

    A 负面清单 line records a deduction: 满分 0, 失分 the deduction, 得分 its negative.
    """
    if negative:
        if full not in (None, 0, 0.0):
            raise ScoreError("满分", f"负面清单标准没有满分，只记扣分：满分应为 0 或不填（现为 {full:g}）")
        if loss is None and score is None:
            raise ScoreError("失分", "负面清单行要填写扣分（失分）")
        if loss is None:
            loss = -score
        if loss < 0:
            raise ScoreError("失分", f"扣分不能为负数：{loss:g}")
        if score is not None and abs(score + loss) > EPS:
            raise ScoreError("得分", f"负面清单行得分应为扣分的相反数（−{loss:g}），现为 {score:g}")
        return 0.0, rounded(-loss), rounded(loss)
    if full is None and not (score is not None and loss is not None):
        full = default_full
    given = sum(v is not None for v in (full, score, loss))
    if given < 2:
        raise ScoreError("得分", "满分、得分、失分至少要填两项")
    for column, value in (("满分", full), ("得分", score), ("失分", loss)):
        if value is not None and value < 0:
            raise ScoreError(column, f"{column}不能为负数：{value:g}")
    if full is None:
        full = score + loss
    elif score is None:
        score = full - loss
    elif loss is None:
        loss = full - score
    elif abs(full - score - loss) > EPS:
        raise ScoreError("失分", f"满分 {full:g} − 得分 {score:g} ≠ 失分 {loss:g}，三者不一致")
    if score < -EPS:
        raise ScoreError("失分", f"失分 {loss:g} 大于满分 {full:g}")
    if score > full + EPS:
        raise ScoreError("得分", f"得分 {score:g} 大于满分 {full:g}")
    return rounded(full), rounded(score), rounded(full - score)
