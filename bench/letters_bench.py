"""目标责任书 throughput: 100 letters into one PDF and 100 separate files, in pages per second
(DESIGN.md budget: ≥ 50 pages/s into one file), and, when LibreOffice is installed, the same
letters made the way offices do today: one document per unit converted by
`soffice --headless --convert-to pdf`, timed in the same run on the same machine.

    python -m bench.letters_bench --scale 1x|10x [--repeat N] [--letters 100] [--no-libreoffice]

Prints one JSON line per figure on stdout (the format of python -m bench); progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from bench.figures import median, p95
from bench.generate import OPERATOR, SCALES, generate
from core import framework, letters
from core.store import open_store

BUDGET_PAGES_PER_S = 50


def _line(figure: str, scale: str, samples_ms: list[float], pages: int, **extra) -> dict:
    return {"figure": figure, "median_ms": median(samples_ms), "p95_ms": p95(samples_ms), "scale": scale,
            "n": len(samples_ms), "pages": pages,
            "pages_per_s": round(pages / (median(samples_ms) / 1000), 1),
            "budget_pages_per_s": BUDGET_PAGES_PER_S, **extra}


def _fodt(letter: letters.Letter) -> str:
    """The letter as a flat OpenDocument text (what an office's Word template amounts to): title,
    paragraphs, the task table, terms and the signature lines, in 仿宋 16 pt on A4."""
    def para(text: str, style: str = "Body") -> str:
        return f'<text:p text:style-name="{style}">{escape(text)}</text:p>'

    headers = ["序号", "标准编号", "测评标准", "责任类型", "分值"]
    cells = "".join(f"<table:table-cell><text:p>{escape(h)}</text:p></table:table-cell>" for h in headers)
    table_rows = [f"<table:table-header-rows><table:table-row>{cells}</table:table-row></table:table-header-rows>"]
    for i, t in enumerate(letter.tasks, 1):
        values = [str(i), t["code"], t["title"], t["role_name"], letters.format_points(t.get("points"))]
        table_rows.append("<table:table-row>" + "".join(
            f"<table:table-cell><text:p>{escape(v)}</text:p></table:table-cell>" for v in values) + "</table:table-row>")
    body = [para(letter.title, "Title")]
    body += [para(line) for line in letter.body.splitlines() if line.strip()]
    body.append('<table:table table:name="tasks"><table:table-column table:number-columns-repeated="5"/>'
                + "".join(table_rows) + "</table:table>")
    body += [para(line) for line in letter.terms.splitlines() if line.strip()]
    body += [para(letter.copies), para(letter.party_a), para(letter.party_b),
             para("负责人（签字）：　　　　（盖章）　　　　日期：　　年　　月　　日")]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:xsl-formatting-objects-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles>
 <style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:text-indent="0.5in"/>
  <style:text-properties style:font-name-asian="FangSong" fo:font-size="16pt" style:font-size-asian="16pt"/></style:style>
 <style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties style:font-name-asian="SimHei" fo:font-size="22pt" style:font-size-asian="22pt"/></style:style>
</office:styles>
<office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="210mm"
 fo:page-height="297mm" fo:margin-top="37mm" fo:margin-left="28mm" fo:margin-right="26mm" fo:margin-bottom="35mm"/>
 </style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles>
<office:body><office:text>{''.join(body)}</office:text></office:body>
</office:document>
"""


def _pdf_pages(folder: Path) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(p).pages) for p in folder.glob("*.pdf"))


def run(scale: str, repeat: int, count: int, libreoffice: bool, lo_repeat: int = 1) -> list[dict]:
    out: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="letters-bench-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        dataset = generate(tmp / "data", scale, work=False)  # letters read units and the 分解表 only
        print(f"dataset {scale}: {dataset.units} units, {dataset.standards} standards "
              f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        db = open_store(dataset.data, OPERATOR)
        edition_id = framework.current_edition_id(db) or dataset.edition_id
        with_tasks = list(letters.tasks_by_unit(db, edition_id))
        unit_ids = [u for u in with_tasks][:count]

        one, pages = [], 0
        for i in range(repeat):
            started = time.perf_counter()
            result = letters.generate_letters(db, 2026, tmp / f"one-{i}.pdf", unit_ids=unit_ids,
                                              edition_id=edition_id, record=False)
            one.append((time.perf_counter() - started) * 1000)
            pages = result.pages
        out.append(_line("letters_one_pdf", scale, one, pages, letters=len(unit_ids)))
        print(json.dumps(out[-1], ensure_ascii=False), flush=True)

        separate, pages = [], 0
        for i in range(repeat):
            started = time.perf_counter()
            result = letters.generate_separate(db, 2026, tmp / f"separate-{i}", unit_ids=unit_ids,
                                               edition_id=edition_id)
            separate.append((time.perf_counter() - started) * 1000)
            pages = result.pages
        out.append(_line("letters_separate", scale, separate, pages, letters=len(unit_ids)))
        print(json.dumps(out[-1], ensure_ascii=False), flush=True)

        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if libreoffice and soffice:
            built, _ = letters.build_letters(db, 2026, edition_id, unit_ids)
            docs = tmp / "fodt"
            docs.mkdir()
            for letter in built:
                (docs / f"{letters.safe_file_name(letter.unit['name'])}.fodt").write_text(_fodt(letter), encoding="utf-8")
            timed = []
            for i in range(lo_repeat):
                pdfs = tmp / f"lo-{i}"
                profile = tmp / f"lo-profile-{i}"
                started = time.perf_counter()
                # One soffice run per unit document, as a macro or an office clerk does it.
                for doc in sorted(docs.glob("*.fodt")):
                    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                                    "--convert-to", "pdf", "--outdir", str(pdfs), str(doc)],
                                   check=True, capture_output=True, timeout=300)
                timed.append((time.perf_counter() - started) * 1000)
            lo_pages = _pdf_pages(tmp / "lo-0")
            line = _line("letters_libreoffice_per_unit", scale, timed, lo_pages, letters=len(built))
            line["ratio_vs_separate"] = round(line["median_ms"] / out[-1]["median_ms"], 1)
            line["ratio_vs_one_pdf"] = round(line["median_ms"] / out[0]["median_ms"], 1)
            out.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
        elif libreoffice:
            print("soffice not found: LibreOffice comparison skipped "
                  "(apt-get install libreoffice-writer-nogui)", file=sys.stderr)
        db.conn.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.letters_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="1x")
    parser.add_argument("--repeat", type=int, default=5, help="samples per figure")
    parser.add_argument("--letters", type=int, default=100, help="how many units' letters")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
    parser.add_argument("--lo-repeat", type=int, default=1, help="samples of the (slow) LibreOffice run")
    args = parser.parse_args(argv)
    run(args.scale, args.repeat, args.letters, not args.no_libreoffice, args.lo_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
