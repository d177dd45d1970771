"""The demo district's archive: the default checklist, files for some materials (photos drawn here,
a report as a one-page PDF), and materials at every step of the status flow."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core import attachments, framework, materials


def load_demo_part(db, demo: dict) -> None:
    part = demo.get("materials")
    edition_id = framework.current_edition_id(db)
    if not part or edition_id is None:
        return
    with db.write(), tempfile.TemporaryDirectory() as tmp:
        materials.init_checklist(db, edition_id)
        by_code_kind = {(r["code"], r["kind"]): r["id"] for r in materials.checklist(db, edition_id)}
        for step in part["steps"]:
            material_id = by_code_kind[(step["code"], step["kind"])]
            for i, f in enumerate(step.get("files", [])):
                path = Path(tmp) / f["name"]
                if attachments.is_image_name(f["name"]):
                    _demo_photo(path, i)
                else:
                    _demo_pdf(path, f.get("text", f["name"]))
                attachments.add_attachment(db, materials.OWNER, material_id, path, caption=f.get("caption", ""),
                                           **{key: f.get(key, "") for key in attachments.PHOTO_CAPTION})
            if step.get("doc_number") or step.get("doc_date"):
                db.update("materials", material_id, {"doc_number": step.get("doc_number", ""),
                                                     "doc_date": step.get("doc_date", "")})
            for action in step.get("actions", []):
                materials.change_status(db, material_id, action, comment=step.get("comment", ""),
                                        box=step.get("box"), item=step.get("item"), pages=step.get("pages"))
        if part.get("due_on"):
            db.execute("UPDATE materials SET due_on = :due_on WHERE edition_id = :edition AND due_on = ''",
                       {"due_on": part["due_on"], "edition": edition_id})


def _demo_pdf(path, text: str) -> None:
    """A one-page scan stand-in: the document's title and opening lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from core.pdf.fonts import register_fonts
    from core.pdf.gbt9704 import draw_string

    fonts = register_fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    lines = text.splitlines()
    draw_string(c, lines[0], A4[0] / 2, A4[1] - 140, fonts["xiaobiaosong"], 20, anchor="centre")
    for i, line in enumerate(lines[1:]):
        draw_string(c, line, 80, A4[1] - 200 - i * 30, fonts["fangsong"], 15)
    c.save()


def _demo_photo(path, seed: int) -> None:
    from PIL import Image, ImageDraw

    colours = [(70, 130, 180), (60, 150, 90), (200, 120, 60), (140, 90, 160)]
    img = Image.new("RGB", (640, 480), colours[seed % len(colours)])
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 300, 600, 440), fill=(235, 235, 225))
    draw.rectangle((80, 120, 260, 300), fill=(250, 250, 250))
    draw.ellipse((420, 60, 520, 160), fill=(250, 220, 90))
    img.save(path)
