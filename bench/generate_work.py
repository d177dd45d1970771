"""A year of the office's work on top of the units and the 测评体系 that bench.generate writes: the
点位 register, 督查问题 with their 督办通知单 (some voided and reissued), every step dated, photos
before and after; the 档案材料 checklist with its files at every stage of review; the 目标责任书
generated, issued and signed with scanned copies; five rounds of 点位 scores; and the audit rows
all of this leaves behind.

What core writes in bulk itself is written through core (materials.init_checklist,
letters.build_letters and record_generation, letters.set_state, scoring.create_round,
scoring.prepare_line and insert_lines, attachments.store_file for the stored files). What core
writes one record at a time (a finding, a notice, a status change) is inserted here with SQL in the
caller's transaction, keeping core's invariants: statuses reached only along core's TRANSITIONS,
each step a finding_events row, notice numbers gap-free per year (a voided one keeps its number),
prev_at_site as core computes it, 审核通过 and 归档 only with files, attachments content-addressed,
one audit row per change with core's action names. The search tables (fts_*) fill through the
triggers of migration m008 as the rows go in.

Dates are counted back from `today` (as the demo district's are), so overdue, 挂牌督办 and the
操作日志's last three months look as they would in use on the day the dataset is made.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import words
from core import attachments, framework, letters, materials, scoring, settings, supervision
from core.supervision import workdays

STAFF = ["王建国", "李晓梅", "张志强", "刘海燕", "陈立新"]  # the office's operators in the audit trail
REVIEWERS = ["区创城办督查组", "区创城办第一督查组", "区创城办第二督查组"]
NOTICE_CONTACT = "区创城办督查科 王建国 0931-8123456"
VOID_REASONS = ["通知单中整改要求表述有误，重新开具", "责任单位填写有误，重新开具", "整改期限计算有误，重新开具"]
FIX_NOTES = ["已组织人员清理整治，完成整改", "已约谈经营户并清除占道物品，建立长效巡查机制",
             "已修复破损设施并安排专人管护", "已联合执法队开展集中整治，问题整改到位"]
REJECT_NOTES = ["复查时问题仍然存在，整改不到位", "复查时垃圾未清运完毕", "复查时仍有占道经营现象"]
MATERIAL_COMMENTS = ["请补充盖章件", "图片缺少时间、地点说明，请补充", "台账数据与统计表不一致，请核实后重新提交",
                     "缺少活动总结，请补充", "文件无文号和成文日期，请补充正式印发件"]

# (site type, weight, name templates with {p} and {q} place names)
SITE_KINDS = [
    ("主干道", 8, ["{p}路", "{p}大道", "{p}大街"]), ("次干道", 6, ["{p}街", "{p}西路", "{p}东路"]),
    ("商业大街", 3, ["{p}商业街", "{p}步行街"]), ("背街小巷", 10, ["{p}巷", "{p}里", "{p}胡同"]),
    ("公共广场", 2, ["{p}广场"]), ("公园景区", 2, ["{p}公园", "{p}湿地公园"]),
    ("公交站台", 5, ["{p}路公交站", "{p}站公交站台"]), ("长途汽车站", 1, ["{p}汽车站"]),
    ("主要交通路口", 5, ["{p}路与{q}街交叉口"]), ("政务大厅", 1, ["{p}街道便民服务大厅"]),
    ("社区", 10, ["{p}社区", "{p}小区", "{p}家园小区"]), ("医院", 2, ["区{p}医院", "{p}社区卫生服务中心"]),
    ("室外公共厕所", 3, ["{p}公厕"]), ("中学", 2, ["区{p}中学"]), ("小学", 3, ["区{p}小学"]),
    ("集贸市场", 5, ["{p}农贸市场", "{p}菜市场"]), ("药店", 2, ["{p}大药房"]),
    ("建成区河道", 2, ["{p}河（{q}段）"]), ("宾馆饭店", 2, ["{p}宾馆", "{p}大酒店"]), ("超市", 3, ["{p}超市"]),
    ("文化娱乐场所", 2, ["{p}影剧院", "{p}文化宫"]), ("街道综合文化站", 1, ["{p}街道综合文化站"]),
    ("村", 3, ["{p}村"]),
]
# The department answerable by default for 点位 of a type (when the dataset has it).
SITE_DEPARTMENTS = {"主干道": "区城管局", "次干道": "区城管局", "背街小巷": "区城管局", "商业大街": "区商务局",
                    "公交站台": "区交通运输局", "主要交通路口": "区公安分局交警大队", "集贸市场": "区市场监管局",
                    "医院": "区卫健委", "中学": "区教育局", "小学": "区教育局", "建成区河道": "区水务局",
                    "公园景区": "区园林绿化中心", "政务大厅": "区政务服务中心", "药店": "区市场监管局",
                    "宾馆饭店": "区文旅局", "文化娱乐场所": "区文旅局", "长途汽车站": "区交通运输局"}
FINDING_TEXTS = ["{site}{problem}，影响市容环境", "{site}存在{problem}现象", "{site}{facility}破损，未及时修复",
                 "{site}周边{problem}，群众反映强烈", "{site}{problem}问题反弹", "{site}{facility}缺失，不符合测评要求",
                 "{site}{problem}、{problem2}，整改不彻底"]
MATERIAL_TITLES = {
    "规范性文件": ["关于印发《{topic}工作方案》的通知", "关于开展{activity}的通知", "{topic}工作制度",
              "关于进一步加强{place}管理的实施意见"],
    "说明报告": ["{topic}工作情况报告", "{place}{facility}管理情况说明", "{activity}开展情况总结"],
    "实景图片": ["{activity}图片资料", "{place}{facility}实景照片", "{place}整治前后对比照片"],
    "统计表格": ["{topic}{metric}统计表", "{activity}开展情况统计表", "{place}{facility}管理台账"],
    "其他": ["{topic}宣传资料汇编", "{activity}签到表及影像资料"],
}
ROUND_PLAN = [("{y}年第一次自查", "自查", 300), ("{y}年第一次模拟测评", "模拟测评", 230), ("{y}年市测", "市测", 160),
              ("{y}年第二次模拟测评", "模拟测评", 90), ("{y}年省测", "省测", 20)]  # name, kind, days before today
SCORE_REASONS = ["路面有垃圾", "占道经营", "公益广告破损", "非机动车乱停", "设施损坏", "台账不全", "野广告未清理",
                 "垃圾桶满溢", "无障碍设施被占用", "宣传栏内容过期"]


@dataclass
class Files:
    """The distinct stored files, reused by many attachment rows: (sha256, size) per kind."""

    photo: list[tuple[str, int]] = field(default_factory=list)
    pdf: list[tuple[str, int]] = field(default_factory=list)
    png: list[tuple[str, int]] = field(default_factory=list)


class Work:
    """Builds the work in the caller's write transaction; rows that core writes one at a time are
    collected and inserted with executemany at the end (attachments, audit) or per area."""

    def __init__(self, db, rng: random.Random, shape, edition_id: int, today: dt.date):
        self.db, self.rng, self.shape, self.edition_id, self.today = db, rng, shape, edition_id, today
        self.audit_rows: list[tuple] = []
        self.attachment_rows: list[tuple] = []
        self.next_attachment = (db.value("SELECT max(id) FROM attachments") or 0) + 1
        self.units = db.rows("SELECT id, name, short_name, kind, head, liaison FROM units WHERE retired = 0"
                              " ORDER BY position, id")
        self.unit_by_name = {u["name"]: u for u in self.units}
        self.unit_by_id = {u["id"]: u for u in self.units}
        self.territorial = [u for u in self.units if u["kind"] in ("街道", "乡镇")]
        self.standards = db.rows("""
            SELECT n.id, n.code, n.title, n.points, n.negative, n.deadline, i.title AS indicator, c.title AS category
              FROM framework_nodes n JOIN framework_nodes i ON i.id = n.parent_id
              JOIN framework_nodes c ON c.id = i.parent_id
             WHERE n.edition_id = :p1 AND n.level = 3 AND n.retired = 0 ORDER BY n.id""", {"p1": edition_id})
        self.counts: dict[str, int] = {}
        self._dues: dict[tuple[dt.date, int], dt.date] = {}

    # --- helpers ----------------------------------------------------------------------------------
    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def stamp(self, day: dt.date) -> str:
        """A time in office hours on that day."""
        rng = self.rng
        return f"{day.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"

    def audit(self, at: str, action: str, table: str, record_id, before, after, summary: str) -> None:
        def dump(value):
            return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

        record = None if record_id is None else str(record_id)
        self.audit_rows.append((at, self.rng.choice(STAFF), action, table, record, summary, dump(before), dump(after)))

    def attach(self, owner_table: str, owner_id: int, stored: tuple[str, int], name: str, mime: str, day: dt.date,
               role: str = "", position: int = 1, caption: str = "", audit_table: str | None = None) -> None:
        """One attachment row, and the audit row attachments.add_attachment writes with it."""
        sha, size = stored
        at = self.stamp(day)
        attachment_id = self.next_attachment
        self.next_attachment += 1
        self.attachment_rows.append((attachment_id, sha, owner_table, owner_id, role, name, size, mime, at, caption,
                                     day.isoformat() if mime == "image/jpeg" else "", position))
        self.audit(at, "添加附件", audit_table or owner_table, owner_id, None,
                   {"attachment": attachment_id, "name": name, "sha256": sha}, name)

    def place(self) -> str:
        return self.rng.choice(words.PLACE_FIRST) + self.rng.choice(words.PLACE_SECOND)

    def fill(self, template: str) -> str:
        rng = self.rng
        problem, problem2 = rng.sample(words.PROBLEMS, 2)
        return template.format(topic=rng.choice(words.TOPICS), activity=rng.choice(words.ACTIVITIES),
                               place=rng.choice(words.PLACES), facility=rng.choice(words.FACILITIES),
                               metric=rng.choice(words.METRICS), problem=problem, problem2=problem2)

    # --- stored files -----------------------------------------------------------------------------
    def store_files(self) -> Files:
        """A few hundred small real files (JPEG photos, PDF scans, PNG charts), each stored once
        through core.attachments (content-addressed) and then shared by many records."""
        files = Files()
        with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
            made_by = (("photo", self.shape.photos, self._photo), ("pdf", self.shape.documents, self._pdf),
                       ("png", self.shape.charts, self._chart))
            for kind, count, make in made_by:
                for i in range(count):
                    path = Path(tmp) / f"{kind}-{i}"
                    path.write_bytes(make(i))
                    getattr(files, kind).append(attachments.store_file(self.db, path))
        self.counts["stored_files"] = len(files.photo) + len(files.pdf) + len(files.png)
        return files

    def _photo(self, i: int) -> bytes:
        """A small street scene: sky, buildings, road; colours and layout vary per file."""
        from PIL import Image, ImageDraw

        rng = self.rng
        img = Image.new("RGB", (240, 180), (150 + rng.randrange(60), 180 + rng.randrange(50), 210 + rng.randrange(40)))
        draw = ImageDraw.Draw(img)
        x = rng.randrange(-20, 10)
        while x < 240:
            w = rng.randrange(25, 60)
            colour = tuple(rng.randrange(120, 230) for _ in range(3))
            draw.rectangle([x, rng.randrange(30, 90), x + w, 125], fill=colour)
            x += w + rng.randrange(2, 12)
        road = tuple(rng.randrange(70, 140) for _ in range(3))
        draw.rectangle([0, 125, 240, 180], fill=road)
        for _ in range(rng.randrange(1, 5)):  # the problem: something lying on the pavement
            cx, cy = rng.randrange(10, 230), rng.randrange(130, 175)
            draw.ellipse([cx - 8, cy - 5, cx + 8, cy + 5], fill=tuple(rng.randrange(256) for _ in range(3)))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70)
        return buf.getvalue()

    def _chart(self, i: int) -> bytes:
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (200, 120), "white")
        draw = ImageDraw.Draw(img)
        for k in range(8):
            h = self.rng.randrange(10, 100)
            draw.rectangle([10 + k * 23, 110 - h, 28 + k * 23, 110], fill=(40, 90 + k * 15, 160))
        buf = io.BytesIO()
        img.save(buf, "PNG")
        return buf.getvalue()

    def _pdf(self, i: int) -> bytes:
        """A one-page scan-like PDF (reportlab, invariant so the bytes depend only on the seed)."""
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4, invariant=1)
        c.setFont("Helvetica", 14)
        c.drawString(80, 760, f"Document {i:04d}")
        for k in range(self.rng.randrange(8, 20)):
            c.line(80, 720 - k * 18, 80 + self.rng.randrange(200, 430), 720 - k * 18)
        c.circle(420, 160, 40)  # the seal
        c.showPage()
        c.save()
        return buf.getvalue()

    # --- 点位 -------------------------------------------------------------------------------------
    def sites(self) -> list[dict]:
        rng, db = self.rng, self.db
        vocab = set(settings.vocab(db, "site_type"))
        kinds = [k for k in SITE_KINDS if k[0] in vocab]
        weights = [k[1] for k in kinds]
        taken, found = set(), []
        while len(found) < self.shape.sites:
            site_type, _w, templates = rng.choices(kinds, weights)[0]
            name = rng.choice(templates).format(p=self.place(), q=self.place())
            if name in taken:
                continue
            taken.add(name)
            locality = rng.choice(self.territorial)
            department = self.unit_by_name.get(SITE_DEPARTMENTS.get(site_type, ""))
            unit_ids = [department["id"]] if department and rng.random() < 0.5 else []
            street = locality["short_name"] or locality["name"]
            found.append({"name": name, "site_type": site_type, "locality_unit_id": locality["id"],
                          "address": f"{street}{self.place()}路{rng.randrange(1, 300)}号",
                          "unit_ids": unit_ids, "created_at": self.stamp(self.day(rng.randrange(340, 365)))})
        next_id = (db.value("SELECT max(id) FROM sites") or 0) + 1
        for i, s in enumerate(found):
            s["id"] = next_id + i
        db.conn.executemany("INSERT INTO sites (id, name, site_type, address, locality_unit_id, created_at)"
                            " VALUES (:id, :name, :site_type, :address, :locality_unit_id, :created_at)", found)
        db.conn.executemany("INSERT INTO site_units (site_id, unit_id, position) VALUES (?, ?, 0)",
                            [(s["id"], s["unit_ids"][0]) for s in found if s["unit_ids"]])
        for s in found:
            clean = {k: s[k] for k in ("name", "site_type", "address", "locality_unit_id")}
            self.audit(s["created_at"], "新增点位", "sites", s["id"], None,
                       {**clean, "note": "", "created_at": s["created_at"], "unit_ids": s["unit_ids"]}, s["name"])
        self.counts["sites"] = len(found)
        return found

    # --- 督查督办 ---------------------------------------------------------------------------------
    def findings(self, sites: list[dict], files: Files) -> None:
        """Findings over the last 330 days, one per row in date order. Each follows the real path:
        录入 → 交办 (by a 督办通知单 per unit and day; 3 % voided and reissued the same day) →
        签收 (the notice's receipt) → 开始整改 → 整改反馈 → 复查 (15 % fail once: back to 整改中,
        督办次数 + 1, a new deadline) → 销号; in the last three months a fifth stall on the way and
        run overdue (older ones have been chased and closed). Where a
        finding stands is where its dated steps have reached by today."""
        rng, db, today = self.rng, self.db, self.today
        n = self.shape.findings
        calendar = workdays.load(db)
        limits = settings.get(db, "deadline_days")
        doc_code = settings.get(db, "doc_code")
        requirement = supervision.default_requirement()
        site_weights = [rng.paretovariate(1.5) for _ in sites]  # a few 点位 keep coming back
        field_standards = [s for s in self.standards if not s["negative"]]
        site_standards = {s["id"]: rng.sample(field_standards, min(3, len(field_standards))) for s in sites}
        base = (db.value("SELECT max(id) FROM findings") or 0) + 1
        start = self.day(330)
        earlier_at_site: dict[int, dict] = {}  # site → {standard id, None or "*": its last two dates}
        findings, support_rows, plans = [], [], []
        groups: dict[tuple[int, dt.date], list[int]] = {}  # (unit, 交办 day) → finding indexes
        for i in range(n):
            found_on = start + dt.timedelta(days=i * 330 // n)
            site = rng.choices(sites, site_weights)[0]
            node = rng.choice(site_standards[site["id"]]) if rng.random() < 0.8 else None
            node_id = node["id"] if node else None
            problem, problem2 = rng.sample(words.PROBLEMS, 2)
            description = rng.choice(FINDING_TEXTS).format(site=site["name"], problem=problem, problem2=problem2,
                                                           facility=rng.choice(words.FACILITIES))
            unit_id = site["unit_ids"][0] if site["unit_ids"] else site["locality_unit_id"]
            day_text = found_on.isoformat()
            prev_at_site = self._previous_at_site(earlier_at_site.setdefault(site["id"], {}), day_text, node_id)
            on_spot = rng.random() < 0.04
            support = []
            if rng.random() < 0.1:
                other = rng.choice(self.units)["id"]
                if other != unit_id:
                    support = [other]
                    support_rows.append((base + i, other, 0))
            severity = rng.choices(supervision.SEVERITIES, (0.7, 0.22, 0.08))[0]
            source = rng.choices(supervision.SOURCES, (4, 4, 2, 1, 2, 1))[0]
            row = {"id": base + i, "found_on": day_text, "source": source, "site_id": site["id"], "node_id": node_id,
                   "description": description, "unit_id": unit_id,
                   "severity": severity, "limit_days": None, "requested_due": None, "due_on": None,
                   "status": "已销号" if on_spot else "待交办", "assigned_on": None, "notice_id": None,
                   "supervision_count": 0, "fixed_on_spot": int(on_spot), "prev_at_site": prev_at_site,
                   "closed_on": day_text if on_spot else None, "created_at": self.stamp(found_on)}
            findings.append(row)
            plans.append({"support": support, "events": []})
            if not on_spot:
                # the office issues notices twice a week (Tuesday, Friday), a unit's findings together
                issue = found_on + dt.timedelta(days=1)
                while issue.weekday() not in (1, 4):
                    issue += dt.timedelta(days=1)
                if issue <= today:
                    groups.setdefault((unit_id, issue), []).append(i)
        notices = self._notices(groups, findings, plans, calendar, limits, doc_code, requirement)
        for i, row in enumerate(findings):
            self._finding_steps(row, plans[i], calendar, limits)
        self._insert_findings(findings, plans, support_rows, notices, files)

    @staticmethod
    def _previous_at_site(seen: dict, day: str, node_id: int | None) -> str | None:
        """core.supervision.findings.previous_at_site over the findings made so far (in date order): the
        latest earlier date at the 点位 of a finding with the same standard, or either without one."""
        def latest_before(key):
            return next((d for d in reversed(seen.get(key, ())) if d < day), None)

        keys = ["*"] if node_id is None else [node_id, None]
        found = max((d for d in map(latest_before, keys) if d), default=None)
        for key in (node_id, "*"):
            dates = seen.setdefault(key, [])
            if not dates or dates[-1] != day:
                dates.append(day)
                del dates[:-2]  # dates only grow: the last two distinct ones answer "before today"
        return found

    def _due(self, calendar, day: dt.date, limit: int) -> dt.date:
        """calendar.add_workdays, remembered (a few hundred distinct days at any scale)."""
        key = (day, limit)
        if key not in self._dues:
            self._dues[key] = calendar.add_workdays(day, limit).due
        return self._dues[key]

    def _notices(self, groups, findings, plans, calendar, limits, doc_code, requirement) -> list[dict]:
        """One notice per unit and 交办 day, numbered in issue order per year without gaps."""
        rng = self.rng
        notices, seq = [], {}
        next_id = (self.db.value("SELECT max(id) FROM notices") or 0) + 1
        for (unit_id, issue), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            unit = self.unit_by_id[unit_id]
            dues = {i: self._due(calendar, issue, int(limits.get(findings[i]["severity"], 5))) for i in members}
            voided = rng.random() < 0.03
            issued = []
            for attempt in (("voided", "final") if voided else ("final",)):
                seq[issue.year] = seq.get(issue.year, 0) + 1
                number = supervision.format_number(doc_code, issue.year, seq[issue.year])
                notice = {"id": next_id, "year": issue.year, "seq": seq[issue.year], "number": number,
                          "unit_id": unit_id, "issued_on": issue.isoformat(), "due_on": min(dues.values()).isoformat(),
                          "requirement": requirement, "contact": NOTICE_CONTACT, "round": 1,
                          "voided": int(attempt == "voided"), "void_reason": "", "voided_at": "", "receipt_signer": "",
                          "receipt_at": "", "receipt_note": "", "created_at": self.stamp(issue), "members": members,
                          "dues": dues}
                next_id += 1
                at = notice["created_at"]
                self.audit(at, "开具督办通知单", "notices", notice["id"], None,
                           {"number": number, "unit": unit["name"], "findings": [findings[i]["id"] for i in members],
                            "due_on": notice["due_on"]}, number)
                for i in members:
                    plans[i]["events"].append((issue, "交办", "待交办", "已交办", "", "", number, notice["id"]))
                if attempt == "voided":
                    reason = rng.choice(VOID_REASONS)
                    notice.update(void_reason=reason, voided_at=at)
                    self.audit(at, "作废督办通知单", "notices", notice["id"], {"voided": 0}, {"voided": 1, "reason": reason},
                               number)
                    for i in members:
                        plans[i]["events"].append((issue, "通知单作废", "已交办", "待交办", "", "", reason, notice["id"]))
                notices.append(notice)
                issued.append(notice)
            final = issued[-1]
            for i in members:
                findings[i].update(status="已交办", notice_id=final["id"], due_on=dues[i].isoformat(),
                                   assigned_on=issue.isoformat(), supervision_count=1)
                plans[i]["notice"] = final
            sign = issue + dt.timedelta(days=rng.choice((0, 1, 1, 2)))
            if sign <= self.today:  # the receipt signs every finding of the notice
                final.update(receipt_signer=unit["liaison"] or "单位联络员", receipt_at=sign.isoformat(),
                             receipt_note="已收到，立即安排整改")
                self.audit(self.stamp(sign), "登记回执", "notices", final["id"], None,
                           {"signer": final["receipt_signer"], "at": sign.isoformat(), "signed": len(members)},
                           final["number"])
                for i in members:
                    findings[i]["status"] = "已签收"
                    plans[i]["events"].append((sign, "签收", "已交办", "已签收", final["receipt_signer"], "", "",
                                               final["id"]))
                    plans[i]["signed"] = sign
        self.counts["notices"] = len(notices)
        self.counts["notices_voided"] = sum(n["voided"] for n in notices)
        return notices

    def _finding_steps(self, row: dict, plan: dict, calendar, limits) -> None:
        """The unit's steps after 签收, as far as today; the audit rows core's _step writes."""
        rng, today = self.rng, self.today
        # A unit that stalls runs overdue and is chased; after three months nothing old is left stalled.
        stalls = (today - plan["signed"]).days < 90 if "signed" in plan else False
        if "signed" not in plan or (stalls and rng.random() < 0.1):  # not signed yet, or stalled at 已签收
            return
        limit = int(limits.get(row["severity"], 5))
        due = dt.date.fromisoformat(row["due_on"])
        day = plan["signed"] + dt.timedelta(days=rng.choice((0, 1, 1, 2)))
        label = row["description"][:40]

        def step(on: dt.date, action: str, source: str, target: str, person: str = "", result: str = "",
                 note: str = "", changes: dict | None = None) -> bool:
            if on > today:
                return False
            plan["events"].append((on, action, source, target, person, result, note, None))
            row["status"] = target
            event = {"note": note, **({"person": person} if person else {}), **({"result": result} if result else {})}
            self.audit(self.stamp(on), action, "findings", row["id"], {"status": source},
                       {"status": target, **(changes or {}), **event}, label)
            if changes:
                row.update(changes)
            return True

        if not step(day, "开始整改", "已签收", "整改中") or (stalls and rng.random() < 0.1):  # or stalled fixing
            return
        for attempt in range(2):
            # most units report back before the deadline; some well after it
            late = rng.random() < 0.2
            finish = due + dt.timedelta(days=rng.randrange(1, 15)) if late else day + dt.timedelta(
                days=rng.randrange(1, max(2, (due - day).days + 1)))
            if not step(max(finish, day), "整改反馈", "整改中", "已反馈", note=rng.choice(FIX_NOTES)):
                return
            plan.setdefault("after", []).append(max(finish, day))
            review = max(finish, day) + dt.timedelta(days=rng.randrange(1, 5))
            if attempt == 0 and rng.random() < 0.15:
                due = self._due(calendar, review, limit)
                if not step(review, "复查未通过", "已反馈", "整改中", rng.choice(REVIEWERS), "未通过",
                            rng.choice(REJECT_NOTES),
                            {"supervision_count": row["supervision_count"] + 1, "due_on": due.isoformat()}):
                    return
                day = review
                continue
            step(review, "复查通过并销号", "已反馈", "已销号", rng.choice(REVIEWERS), "通过", "现场复查，整改到位",
                 {"closed_on": review.isoformat()})
            return

    def _insert_findings(self, findings, plans, support_rows, notices, files: Files) -> None:
        db, rng = self.db, self.rng
        columns = ["id", "found_on", "source", "site_id", "node_id", "description", "unit_id", "severity", "limit_days",
                   "requested_due", "due_on", "status", "assigned_on", "notice_id", "supervision_count",
                   "fixed_on_spot", "prev_at_site", "closed_on", "created_at"]
        notice_columns = ["id", "year", "seq", "number", "unit_id", "issued_on", "due_on", "requirement", "contact",
                          "round", "voided", "void_reason", "voided_at", "receipt_signer", "receipt_at",
                          "receipt_note", "created_at"]
        db.conn.executemany(f"INSERT INTO notices ({', '.join(notice_columns)}) VALUES"
                            f" ({', '.join(':' + c for c in notice_columns)})", notices)
        db.conn.executemany(f"INSERT INTO findings ({', '.join(columns)})"
                            f" VALUES ({', '.join(':' + c for c in columns)})", findings)
        db.conn.executemany("INSERT INTO finding_units (finding_id, unit_id, position) VALUES (?, ?, ?)", support_rows)
        db.conn.executemany("INSERT INTO notice_findings (notice_id, finding_id, position, due_on) VALUES (?, ?, ?, ?)",
                            [(n["id"], findings[i]["id"], p, n["dues"][i].isoformat())
                             for n in notices for p, i in enumerate(n["members"])])
        events = []
        for row, plan in zip(findings, plans):
            found = dt.date.fromisoformat(row["found_on"])
            first = ("现场整改", "", "已销号", "检查组督促现场整改到位") if row["fixed_on_spot"] else ("录入", "", "待交办", "")
            events.append((row["id"], row["found_on"], first[0], first[1], first[2], "", "", first[3], None,
                           rng.choice(STAFF), row["created_at"]))
            for on, action, source, target, person, result, note, notice_id in plan["events"]:
                events.append((row["id"], on.isoformat(), action, source, target, person, result, note, notice_id,
                               rng.choice(STAFF), self.stamp(on)))
            self.audit(row["created_at"], "录入督查问题", "findings", row["id"], None,
                       {**{k: row[k] for k in ("found_on", "source", "site_id", "node_id", "description", "unit_id",
                                               "severity", "limit_days", "requested_due", "fixed_on_spot",
                                               "prev_at_site")},
                        "status": "已销号" if row["fixed_on_spot"] else "待交办", "closed_on": row["closed_on"]
                        if row["fixed_on_spot"] else None, "created_at": row["created_at"],
                        "support_ids": plan["support"]}, row["description"][:40])
            place = row["description"][:6]
            for k in range(rng.choice((1, 1, 2))):
                self.attach("findings", row["id"], rng.choice(files.photo), f"{place}整改前{k + 1}.jpg", "image/jpeg",
                            found, role="before", position=k + 1)
            for k, on in enumerate(plan.get("after", []) + ([found] if row["fixed_on_spot"] else [])):
                self.attach("findings", row["id"], rng.choice(files.photo), f"{place}整改后{k + 1}.jpg", "image/jpeg",
                            on, role="after", position=k + 1)
        db.conn.executemany("INSERT INTO finding_events (finding_id, on_date, action, from_status, to_status, person,"
                            " result, note, notice_id, operator, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            events)
        self.counts["findings"] = len(findings)
        self.counts["finding_events"] = len(events)

    # --- 档案材料 ---------------------------------------------------------------------------------
    def materials(self, files: Files) -> None:
        """The default checklist through core, hand-added requirements up to the scale's count,
        and every material at its stage: 待提交 (no files), 已提交 and 需补充 (files, a comment),
        审核通过 (reviewed), 已归档 (in a box)."""
        rng, db, edition_id = self.rng, self.db, self.edition_id
        added = materials.init_checklist(db, edition_id)
        lead = {}
        for r in db.rows("SELECT a.node_id, a.unit_id FROM assignment_units a"
                          " JOIN framework_nodes n ON n.id = a.node_id WHERE n.edition_id = :p1 AND a.role = 'lead'"
                          " ORDER BY a.node_id, a.position, a.unit_id",
                      {"p1": edition_id}):
            lead.setdefault(r["node_id"], r["unit_id"])
        positions = {r["node_id"]: r["p"] for r in db.rows(
            "SELECT node_id, max(position) AS p FROM materials WHERE edition_id = :p1 GROUP BY node_id",
            {"p1": edition_id})}
        extra = []
        next_id = (db.value("SELECT max(id) FROM materials") or 0) + 1
        for i in range(max(0, self.shape.materials - added)):
            s = rng.choice(self.standards)
            kind = rng.choices(materials.KINDS, (3, 2, 3, 2, 1))[0]
            positions[s["id"]] = positions.get(s["id"], 0) + 1
            at = self.stamp(self.day(rng.randrange(200, 330)))
            extra.append({"id": next_id + i, "edition_id": edition_id, "node_id": s["id"],
                          "position": positions[s["id"]], "kind": kind,
                          "title": self.fill(rng.choice(MATERIAL_TITLES[kind])),
                          "requirement": rng.choice(list(materials.DEFAULT_TEXT.values()))[1],
                          "unit_id": lead.get(s["id"]) if rng.random() < 0.85 else rng.choice(self.units)["id"],
                          "due_on": self.day(rng.randrange(-120, 200)).isoformat() if rng.random() < 0.8 else "",
                          "status": "待提交", "updated_at": at, "code": s["code"]})
        db.conn.executemany("INSERT INTO materials (id, edition_id, node_id, position, kind, title, requirement,"
                            " unit_id, due_on, status, updated_at) VALUES (:id, :edition_id, :node_id, :position,"
                            " :kind, :title, :requirement, :unit_id, :due_on, :status, :updated_at)", extra)
        for m in extra:
            record = {k: m[k] for k in ("kind", "title", "requirement", "unit_id", "due_on")}
            self.audit(m["updated_at"], "新增档案材料", materials.OWNER, m["id"], None,
                       {**record, "node_id": m["node_id"], "position": m["position"], "status": "待提交"},
                       f"{m['code']} {m['title']}")
        self._material_progress(files)

    def _material_progress(self, files: Files) -> None:
        rng, db = self.rng, self.db
        found = db.rows("SELECT id, kind, title, unit_id, status FROM materials WHERE edition_id = :p1 AND removed = 0"
                         " ORDER BY id", {"p1": self.edition_id})
        t = materials.TRANSITIONS
        updates, box_item = [], [1, 0]
        for m in found:
            status = rng.choices(materials.STATUSES, (30, 20, 27, 8, 15))[0]
            if status == "待提交":
                continue
            submitted = self.day(rng.randrange(20, 200))
            change = {"id": m["id"], "status": status, "comment": "", "reviewed_at": "", "reviewed_by": "",
                      "doc_number": "", "doc_date": "", "box": None, "item": None, "pages": None,
                      "updated_at": self.stamp(submitted)}
            self._material_files(m, submitted, files)
            if m["kind"] == "规范性文件":
                unit = self.unit_by_id.get(m["unit_id"]) or {"short_name": "区创城办", "name": ""}
                change.update(doc_number=f"{(unit['short_name'] or unit['name'])[:4]}发〔{submitted.year}〕"
                                         f"{rng.randrange(1, 120)}号",
                              doc_date=(submitted - dt.timedelta(days=rng.randrange(3, 60))).isoformat())
            self.audit(change["updated_at"], t["submit"].label, materials.OWNER, m["id"], {"status": "待提交"},
                       {"status": "已提交"}, m["title"])
            if status == "已提交":
                updates.append(change)
                continue
            reviewed = min(submitted + dt.timedelta(days=rng.randrange(1, 15)), self.today)
            at = self.stamp(reviewed)
            action = "request" if status == "需补充" else "approve"
            comment = rng.choice(MATERIAL_COMMENTS) if action == "request" else ""
            reviewer = rng.choice(STAFF)
            change.update(comment=comment, reviewed_at=at, reviewed_by=reviewer, updated_at=at)
            self.audit(at, t[action].label, materials.OWNER, m["id"],
                       {"status": "已提交", "comment": "", "reviewed_at": "", "reviewed_by": ""},
                       {"status": t[action].target, "comment": comment, "reviewed_at": at, "reviewed_by": reviewer},
                       m["title"])
            if status == "已归档":
                box_item[1] += 1
                if box_item[1] > 30:
                    box_item[:] = [box_item[0] + 1, 1]
                change.update(box=box_item[0], item=box_item[1], pages=rng.randrange(1, 40))
                self.audit(at, t["archive"].label, materials.OWNER, m["id"], {"status": "审核通过", "box": None,
                                                                             "item": None, "pages": None},
                           {"status": "已归档", "box": change["box"], "item": change["item"], "pages": change["pages"]},
                           m["title"])
            updates.append(change)
        db.conn.executemany("UPDATE materials SET status = :status, comment = :comment, reviewed_at = :reviewed_at,"
                            " reviewed_by = :reviewed_by, doc_number = :doc_number, doc_date = :doc_date, box = :box,"
                            " item = :item, pages = :pages, updated_at = :updated_at WHERE id = :id", updates)
        self.counts["materials"] = len(found)
        self.counts["materials_with_files"] = len(updates)

    def _material_files(self, m: dict, day: dt.date, files: Files) -> None:
        rng = self.rng
        title = m["title"].split(" ", 1)[-1][:20]
        if m["kind"] == "实景图片":
            for k in range(rng.randrange(1, 6)):
                self.attach(materials.OWNER, m["id"], rng.choice(files.photo), f"{title}{k + 1}.jpg", "image/jpeg", day,
                            position=k + 1, caption=f"{day.isoformat()} {title}")
        elif m["kind"] == "统计表格":
            self.attach(materials.OWNER, m["id"], rng.choice(files.png), f"{title}.png", "image/png", day)
            if rng.random() < 0.5:
                self.attach(materials.OWNER, m["id"], rng.choice(files.pdf), f"{title}（盖章）.pdf", "application/pdf",
                            day, position=2)
        else:
            for k in range(rng.choice((1, 1, 2))):
                self.attach(materials.OWNER, m["id"], rng.choice(files.pdf), f"{title}{'（附件）' if k else ''}.pdf",
                            "application/pdf", day, position=k + 1)

    # --- 目标责任书 -------------------------------------------------------------------------------
    def letters(self, files: Files) -> None:
        """Every unit's letter generated (snapshots kept, as the office's generation does), a few
        standards changed since, then 55 % issued and signed with a scanned copy, 25 % issued, the
        rest not yet issued."""
        rng, db = self.rng, self.db
        year = self.today.year
        built, _without = letters.build_letters(db, year, self.edition_id)
        letters.record_generation(db, year, self.edition_id, built)
        # The 分解表 moved on after the letters went out: a few standards' points changed since.
        for s in rng.sample(self.standards, max(3, len(self.standards) // 150)):
            if not s["negative"]:
                framework.update_node(db, s["id"], {"points": (s["points"] or 1) + 0.5})
        issued_day = self.day(250)
        signed = []
        for letter in built:
            unit = letter.unit
            roll = rng.random()
            if roll < 0.8:
                letters.set_state(db, year, unit["id"], "已印发", on=issued_day)
            if roll < 0.55:
                day = issued_day + dt.timedelta(days=rng.randrange(3, 40))
                letters.set_state(db, year, unit["id"], "已签订", on=day, signed_by=unit["head"] or "负责人")
                signed.append((unit, day))
        for unit, day in signed:
            status_id = letters.status_id(db, year, unit["id"])
            self.attach(letters.OWNER_TABLE, status_id, rng.choice(files.pdf),
                        f"{unit['short_name'] or unit['name']}{year}年度创城目标责任书（签字盖章）.pdf", "application/pdf",
                        day, role=letters.SCAN_ROLE)
        self.counts["letters_generated"] = len(built)
        self.counts["letters_signed"] = len(signed)

    # --- 丢分分析 ---------------------------------------------------------------------------------
    def scores(self, sites: list[dict]) -> None:
        """Five rounds of 点位 results (the third-party form b), each line checked by core's
        prepare_line as an import would, attributed to the units the report names (or none:
        then the standard's lead). Later rounds lose less, as an office's work pays off."""
        rng, db = self.rng, self.db
        matcher = scoring.LineMatcher(db, self.edition_id)
        field_standards = [s for s in self.standards if not s["negative"]]
        negative = [s for s in self.standards if s["negative"]]
        locality_names = {u["id"]: u["name"] for u in self.territorial}
        total = 0
        for r, (name, kind, days_ago) in enumerate(ROUND_PLAN):
            held = self.day(days_ago)
            round_name = name.format(y=held.year)
            round_id = scoring.create_round(db, round_name, kind, held, self.edition_id)
            loss_rate = 0.32 - 0.05 * r
            lines, loss = [], 0.0
            for j in range(self.shape.score_lines):
                site = rng.choice(sites)
                if negative and rng.random() < 0.005:
                    s = rng.choice(negative)
                    data = {"code": s["code"], "category": s["category"], "item": s["indicator"], "site": site["name"],
                            "site_type": site["site_type"], "locality": locality_names[site["locality_unit_id"]],
                            "full_points": None, "score": None, "loss": rng.choice((0.5, 1.0, 2.0)),
                            "reason": "发生" + rng.choice(words.PROBLEMS) + "问题，被媒体曝光", "units": []}
                else:
                    s = rng.choice(field_standards)
                    score = rng.choice((0.9, 0.8, 0.5, 0.5, 0.2, 0.0)) if rng.random() < loss_rate else 1.0
                    named = []
                    if score < 1 and rng.random() < 0.6:
                        named = [self.unit_by_id[u]["name"] for u in site["unit_ids"]] or [
                            locality_names[site["locality_unit_id"]]]
                        if rng.random() < 0.2:
                            named.append(rng.choice(self.units)["name"])
                    data = {"code": s["code"], "category": s["category"], "item": s["indicator"], "site": site["name"],
                            "site_type": site["site_type"], "locality": locality_names[site["locality_unit_id"]],
                            "full_points": 1.0, "score": score, "loss": None,
                            "reason": rng.choice(SCORE_REASONS) if score < 1 else "",
                            "units": list(dict.fromkeys(named))}
                data["source_row"] = j + 3
                line, problems = scoring.prepare_line(matcher, data)
                if problems:
                    raise RuntimeError(f"generated score line refused by core: {problems}")
                lines.append(line)
                loss += line["full_points"] - line["score"]
            scoring.insert_lines(db, round_id, lines)
            self.audit(self.stamp(held), "导入测评成绩", "score_rounds", round_id, None,
                       {"file": f"{round_name}点位得分表.xlsx", "form": "b", "lines": len(lines), "loss": round(loss, 2)},
                       f"{round_name}：{len(lines)} 条")
            total += len(lines)
        self.counts["score_rounds"] = len(ROUND_PLAN)
        self.counts["score_lines"] = total

    # --- the rows collected -----------------------------------------------------------------------
    def flush(self) -> None:
        """Attachment rows, then the audit rows in time order (as they would have been written)."""
        self.db.conn.executemany(
            "INSERT INTO attachments (id, sha256, owner_table, owner_id, role, original_name, size, mime, added_at,"
            " caption, taken_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.attachment_rows)
        self.audit_rows.sort(key=lambda r: r[0])
        self.db.conn.executemany("INSERT INTO audit_log (at, operator, action, table_name, record_id, summary, before,"
                                 " after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.audit_rows)
        self.counts["attachments"] = len(self.attachment_rows)
        self.counts["audit_rows"] = len(self.audit_rows)
        self.attachment_rows, self.audit_rows = [], []


def fill(db, rng: random.Random, shape, edition_id: int, today: dt.date) -> dict[str, int]:
    """The whole year of work, inside the caller's write transaction; returns what was made."""
    work = Work(db, rng, shape, edition_id, today)
    files = work.store_files()
    sites = work.sites()
    work.findings(sites, files)
    work.materials(files)
    work.letters(files)
    work.scores(sites)
    work.flush()
    return work.counts
