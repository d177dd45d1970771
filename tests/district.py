"""The parts of the demo district that 责任单位, 测评体系 and 目标责任书 are made of — its units,
groups, edition with the 分解表, and letters — without the areas built on them (scores, findings,
materials), so that the foundation's tests run on both engines."""

from __future__ import annotations


def load_district(db):
    from core.demo import framework as framework_part
    from core.demo import letters as letters_part
    from core.demo import read_demo

    demo = read_demo()
    with db.write():
        framework_part.load_demo_part(db, demo)
        letters_part.load_demo_part(db, demo)
    return db
