"""The demo district (示例数据): a realistic office to try the program on and to test against."""

from __future__ import annotations

import json

from core.errors import AppError
from core.resources import resource_path


def is_empty(db) -> bool:
    return not (db.value("SELECT count(*) FROM units") or db.value("SELECT count(*) FROM editions"))


def read_demo() -> dict:
    return json.loads(resource_path("demo", "demo.json").read_text(encoding="utf-8"))


def load_demo(db, progress=None) -> dict:
    """Fill an empty database with the demo district, in one transaction."""
    from core.demo import framework as framework_part
    from core.demo import letters as letters_part

    if not is_empty(db):
        raise AppError("数据文件夹中已有数据，示例数据只能加载到空的数据文件夹。"
                       "请用 --data 指定一个新的文件夹。")
    demo = read_demo()
    with db.write():
        result = framework_part.load_demo_part(db, demo, progress)
        from core.demo import scoring as scoring_demo
        scoring_demo.load_demo_part(db, demo)
        letters_part.load_demo_part(db, demo)
        from core.demo import supervision as supervision_demo
        supervision_demo.load_demo_part(db, demo)
        from core.demo import materials
        materials.load_demo_part(db, demo)
    return result
