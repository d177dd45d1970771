"""督查督办 core: findings, every allowed and refused move, notices and numbering, overdue, 挂牌."""

import datetime as dt
import multiprocessing

import pytest

from conftest import open_test_ledger
from core import attachments, audit, settings, supervision, units
from core.errors import AppError
from core.supervision import TRANSITIONS, FindingFilter, sites

D = dt.date


def make_photo(path, colour=(200, 40, 40)):
    from PIL import Image

    Image.new("RGB", (64, 48), colour).save(path)
    return path


@pytest.fixture
def office(engine, request):
    """The demo district without the demo's own findings, so numbers and counts start from zero."""
    return open_test_ledger(request, "office", _demo_without_findings)


def _demo_without_findings(db):
    from core.demo import load_demo

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("core.demo.supervision.load_demo_part", lambda *args, **kwargs: None)
        load_demo(db)


@pytest.fixture
def place(office):
    street = units.resolve_one(office, "城关街道办事处")
    cg = units.resolve_one(office, "区城管局")
    return sites.create_site(office, {"name": "人民路", "site_type": "主干道", "address": "人民路全线"},
                             street, [cg])


def new_finding(db, site_id, **changes):
    data = {"found_on": "2026-09-28", "source": "明察暗访", "site_id": site_id,
            "description": "人民路与解放路口绿化带内垃圾堆积", "severity": "一般"}
    data.update(changes)
    return supervision.create_finding(db, data)


def status(db, fid):
    return supervision.get_finding(db, fid)["status"]


def test_finding_defaults_unit_from_site_and_photos_attach(office, place, tmp_path):
    photo = make_photo(tmp_path / "before.jpg")
    fid = supervision.create_finding(office, {"found_on": "2026-09-28", "source": "点位检查", "site_id": place,
                                               "description": "人行道破损"}, photos=[photo])
    f = supervision.get_finding(office, fid)
    assert f["unit"] == "区城管局" and f["status"] == "待交办" and f["severity"] == "一般"
    assert [a["role"] for a in attachments.list_attachments(office, "findings", fid)] == ["before"]
    assert [e["action"] for e in supervision.history(office, fid)] == ["录入"]
    assert audit.history(office, "findings", fid)


def test_finding_defaults_to_standards_lead_unit(office):
    site = sites.create_site(office, {"name": "无主空地", "site_type": "背街小巷"})
    node = supervision.standard_choices(office)[0]
    fid = supervision.create_finding(office, {"found_on": "2026-09-28", "source": "其他", "site_id": site,
                                               "node_id": node["id"], "description": "x"})
    assert supervision.get_finding(office, fid)["unit_id"] == supervision.standard_lead(office, node["id"])


def test_bad_findings_are_refused_and_nothing_written(office, place, tmp_path):
    retired = units.resolve_one(office, "区司法局")
    units.retire_unit(office, retired)
    before = office.value("SELECT count(*) FROM findings")
    files_before = office.value("SELECT count(*) FROM attachments")
    with pytest.raises(AppError, match="已停用"):
        new_finding(office, place, unit_id=retired)
    with pytest.raises(AppError, match="早于发现日期"):
        new_finding(office, place, requested_due="2026-09-01")
    not_image = tmp_path / "照片.jpg"
    not_image.write_text("这不是图片", encoding="utf-8")
    with pytest.raises(AppError, match="不是可识别的图片"):
        supervision.create_finding(office, {"found_on": "2026-09-28", "source": "明察暗访", "site_id": place,
                                             "description": "x"}, photos=[not_image])
    with pytest.raises(AppError, match="来源"):
        new_finding(office, place, source="随便")
    with pytest.raises(AppError, match="问题描述"):
        new_finding(office, place, description=" ")
    with pytest.raises(AppError, match="整改后的照片"):
        new_finding(office, place, fixed_on_spot=True)
    assert office.value("SELECT count(*) FROM findings") == before
    assert office.value("SELECT count(*) FROM attachments") == files_before


def test_fixed_on_spot_is_closed_at_once(office, place, tmp_path):
    fid = supervision.create_finding(
        office, {"found_on": "2026-09-28", "source": "点位检查", "site_id": place, "description": "乱贴小广告",
                  "fixed_on_spot": True}, photos=[make_photo(tmp_path / "a.png")],
        after_photos=[make_photo(tmp_path / "b.png", (0, 200, 0))], fix_note="当场清除")
    f = supervision.get_finding(office, fid)
    assert f["status"] == "已销号" and f["fixed_on_spot"] and f["closed_on"] == "2026-09-28"
    assert {a["role"] for a in attachments.list_attachments(office, "findings", fid)} == {"before", "after"}
    with pytest.raises(AppError):
        supervision.issue_notice(office, f["unit_id"], [fid], issued_on="2026-09-29")


def test_full_lifecycle_with_failed_review(office, place, tmp_path):
    fid = new_finding(office, place)
    unit_id = supervision.get_finding(office, fid)["unit_id"]
    notice = supervision.issue_notice(office, unit_id, [fid], issued_on="2026-09-30")
    f = supervision.get_finding(office, fid)
    assert f["status"] == "已交办" and f["supervision_count"] == 1
    assert f["due_on"] == "2026-10-13"  # 一般: 5 working days after 30 Sep: 8, 9, 10 (调休), 12, 13 Oct
    assert notice["number"] == "X创城督〔2026〕1号" and notice["due_on"] == "2026-10-13"
    supervision.sign(office, fid, "张三", "2026-10-08")
    supervision.start_fixing(office, fid, "2026-10-08")
    with pytest.raises(AppError, match="整改情况"):
        supervision.feedback(office, fid, " ", "2026-10-09")
    supervision.feedback(office, fid, "已清运", "2026-10-09", after_photos=[make_photo(tmp_path / "after.png")])
    with pytest.raises(AppError, match="复查人"):
        supervision.review(office, fid, "", True, on_date="2026-10-10")
    supervision.review(office, fid, "李四", False, "仍有垃圾", on_date="2026-10-10")
    f = supervision.get_finding(office, fid)
    assert f["status"] == "整改中" and f["supervision_count"] == 2
    assert f["due_on"] == "2026-10-16"  # 5 working days after Sat 10 Oct
    supervision.feedback(office, fid, "再次清运", "2026-10-12")
    supervision.review(office, fid, "李四", True, "已整改到位", on_date="2026-10-13")
    f = supervision.get_finding(office, fid)
    assert f["status"] == "已销号" and f["closed_on"] == "2026-10-13"
    actions = [e["action"] for e in supervision.history(office, fid)]
    assert actions == ["录入", "交办", "签收", "开始整改", "整改反馈", "复查未通过", "整改反馈", "复查通过并销号"]
    review = supervision.history(office, fid)[-1]
    assert (review["person"], review["result"], review["on_date"]) == ("李四", "通过", "2026-10-13")



def test_step_dates_follow_the_step_before_and_never_pass_today(office, place, monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-10-20")
    fid = new_finding(office, place)
    supervision.issue_notice(office, supervision.get_finding(office, fid)["unit_id"], [fid], issued_on="2026-10-09")
    with pytest.raises(AppError) as early:
        supervision.sign(office, fid, "张三", "2026-10-08")
    assert str(early.value) == "“签收”的日期 2026-10-08 早于上一步“交办”的日期 2026-10-09，请检查日期。"
    with pytest.raises(AppError) as future:
        supervision.sign(office, fid, "张三", "2026-10-21")
    assert str(future.value) == "“签收”的日期 2026-10-21 晚于今天（2026-10-20），还没有到这一天，请检查日期。"
    supervision.sign(office, fid, "张三", "2026-10-12")
    with pytest.raises(AppError, match="“开始整改”的日期 2026-10-11 早于上一步“签收”的日期 2026-10-12"):
        supervision.start_fixing(office, fid, "2026-10-11")
    supervision.start_fixing(office, fid, "2026-10-12")
    with pytest.raises(AppError, match="“整改反馈”的日期 2026-10-10 早于上一步“开始整改”"):
        supervision.feedback(office, fid, "已清运", "2026-10-10")
    supervision.feedback(office, fid, "已清运", "2026-10-15")
    with pytest.raises(AppError, match="“复查通过并销号”的日期 2026-10-14 早于上一步“整改反馈”的日期 2026-10-15"):
        supervision.review(office, fid, "李四", True, on_date="2026-10-14")
    with pytest.raises(AppError, match="晚于今天"):
        supervision.review(office, fid, "李四", True, on_date="2026-10-30")
    assert supervision.get_finding(office, fid)["status"] == "已反馈"


# Every (action, status) pair: allowed exactly when the table says so.
DRIVERS = {
    "sign": lambda db, fid: supervision.sign(db, fid, "张三", "2026-10-08"),
    "start": lambda db, fid: supervision.start_fixing(db, fid, "2026-10-08"),
    "feedback": lambda db, fid: supervision.feedback(db, fid, "已整改", "2026-10-08"),
    "close": lambda db, fid: supervision.review(db, fid, "李四", True, "好", on_date="2026-10-08"),
    "reject": lambda db, fid: supervision.review(db, fid, "李四", False, "不行", on_date="2026-10-08"),
}
PATH = ["待交办", "已交办", "已签收", "整改中", "已反馈", "已销号"]


def _bring_to(db, fid, target):
    unit_id = supervision.get_finding(db, fid)["unit_id"]
    steps = [lambda: supervision.issue_notice(db, unit_id, [fid], issued_on="2026-09-30"),
             lambda: DRIVERS["sign"](db, fid), lambda: DRIVERS["start"](db, fid),
             lambda: DRIVERS["feedback"](db, fid), lambda: DRIVERS["close"](db, fid)]
    for step in steps[:PATH.index(target)]:
        step()


@pytest.mark.parametrize("state", PATH)
@pytest.mark.parametrize("action", list(DRIVERS))
def test_every_transition_allowed_or_refused(office, place, state, action):
    fid = new_finding(office, place)
    _bring_to(office, fid, state)
    assert status(office, fid) == state
    events = len(supervision.history(office, fid))
    if state in TRANSITIONS[action].sources:
        DRIVERS[action](office, fid)
        assert status(office, fid) == TRANSITIONS[action].target
        assert len(supervision.history(office, fid)) == events + 1
    else:
        with pytest.raises(AppError, match="不能"):
            DRIVERS[action](office, fid)
        assert status(office, fid) == state
        assert len(supervision.history(office, fid)) == events


@pytest.mark.parametrize("state", PATH)
def test_issue_allowed_only_when_waiting_or_overdue(office, place, state):
    fid = new_finding(office, place)
    _bring_to(office, fid, state)
    unit_id = supervision.get_finding(office, fid)["unit_id"]
    if state == "待交办":
        supervision.issue_notice(office, unit_id, [fid], issued_on="2026-10-08")
        return
    with pytest.raises(AppError):  # not overdue yet (due 13 Oct), or past the unit's part
        supervision.issue_notice(office, unit_id, [fid], issued_on="2026-10-09")
    if state in supervision.OWING:  # 再次督办 once overdue
        supervision.issue_notice(office, unit_id, [fid], issued_on="2026-10-14")
        f = supervision.get_finding(office, fid)
        assert f["status"] == "已交办" and f["supervision_count"] == 2


def test_notice_for_several_findings_of_one_unit_only(office, place):
    a, b = new_finding(office, place), new_finding(office, place, severity="严重", description="井盖缺失")
    other = new_finding(office, place, unit_id=units.resolve_one(office, "区住建局"))
    unit_id = supervision.get_finding(office, a)["unit_id"]
    with pytest.raises(AppError, match="只能发给一个单位"):
        supervision.issue_notice(office, unit_id, [a, other], issued_on="2026-09-30")
    notice = supervision.issue_notice(office, unit_id, [a, b], issued_on="2026-09-30")
    assert notice["due_on"] == "2026-10-08"  # 严重: 1 working day, the earliest deadline rules
    full = supervision.get_notice(office, notice["id"])
    assert [f["notice_due_on"] for f in full["findings"]] == ["2026-10-13", "2026-10-08"]


def test_numbering_void_and_receipt(office, place):
    fids = [new_finding(office, place) for _ in range(3)]
    unit_id = supervision.get_finding(office, fids[0])["unit_id"]
    n1 = supervision.issue_notice(office, unit_id, [fids[0]], issued_on="2026-09-30")
    n2 = supervision.issue_notice(office, unit_id, [fids[1]], issued_on="2026-09-30")
    with pytest.raises(AppError, match="原因"):
        supervision.void_notice(office, n2["id"], "")
    supervision.void_notice(office, n2["id"], "单位写错")
    assert status(office, fids[1]) == "待交办"
    assert supervision.get_finding(office, fids[1])["supervision_count"] == 0
    n3 = supervision.issue_notice(office, unit_id, [fids[1], fids[2]], issued_on="2026-10-08")
    assert [n1["number"], n2["number"], n3["number"]] == [f"X创城督〔2026〕{i}号" for i in (1, 2, 3)]
    listed = {n["number"]: n["state"] for n in supervision.list_notices(office, 2026)}
    assert listed["X创城督〔2026〕2号"] == "作废"
    assert supervision.record_receipt(office, n3["id"], "王五", "2026-10-09", "收到") == 2
    assert status(office, fids[2]) == "已签收"
    with pytest.raises(AppError, match="不能再作废"):
        supervision.void_notice(office, n3["id"], "晚了")
    with pytest.raises(AppError, match="已作废"):
        supervision.record_receipt(office, n2["id"], "王五", "2026-10-09")
    # Numbers restart with the year.
    f = new_finding(office, place, found_on="2027-01-05")
    assert supervision.issue_notice(office, unit_id, [f], issued_on="2027-01-05")["number"] == "X创城督〔2027〕1号"


def test_notice_into_unknown_year_warns(office, place):
    fid = new_finding(office, place, found_on="2026-12-28")
    unit_id = supervision.get_finding(office, fid)["unit_id"]
    notice = supervision.issue_notice(office, unit_id, [fid], issued_on="2026-12-29")
    assert notice["warnings"] and "2027年" in notice["warnings"][0]


def _issue_in_process(data_root, server, unit_name, finding_ids, queue):
    from core.paths import DataDir
    from core.store import open_store

    db = open_store(DataDir(data_root), "进程", server=server)
    unit_id = units.resolve_one(db, unit_name)
    numbers = [supervision.issue_notice(db, unit_id, [fid], issued_on="2026-10-08")["number"] for fid in finding_ids]
    queue.put(numbers)


def test_two_processes_issuing_at_once_get_distinct_consecutive_numbers(office, place, data_dir):
    fids = [new_finding(office, place) for _ in range(20)]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    server = office.url if office.engine == "postgresql" else None
    procs = [ctx.Process(target=_issue_in_process, args=(str(data_dir.root), server, "区城管局", part, queue))
             for part in (fids[0::2], fids[1::2])]
    for p in procs:
        p.start()
    numbers = queue.get(timeout=120) + queue.get(timeout=120)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    seqs = sorted(int(n.split("〕")[1].rstrip("号")) for n in numbers)
    assert seqs == list(range(1, 21))
    assert office.value("SELECT count(DISTINCT number) FROM notices") == 20


def test_overdue_and_flag_rules(office, place):
    unit_id = units.resolve_one(office, "区城管局")
    settings.set_many(office, {"flag_overdue_workdays": 3, "flag_repeat_days": 30, "flag_supervision_count": 2})
    late = new_finding(office, place, found_on="2026-09-01", node_id=None)
    supervision.issue_notice(office, unit_id, [late], issued_on="2026-09-01")  # due 8 Sep
    assert supervision.get_finding(office, late)["due_on"] == "2026-09-08"

    def flags(today):
        found, _ = supervision.list_findings(office, FindingFilter(ids=(late,)), today=today)
        return found[0]["overdue"], found[0]["flagged"], found[0]["flag_reasons"]

    assert flags(D(2026, 9, 8)) == (False, False, "")
    assert flags(D(2026, 9, 9)) == (True, False, "")  # one working day late
    assert flags(D(2026, 9, 11)) == (True, False, "")  # 3 working days late: not more than 3
    assert flags(D(2026, 9, 14)) == (True, True, "严重逾期")  # 4 working days late
    supervision.issue_notice(office, unit_id, [late], issued_on="2026-09-14")  # 再次督办
    overdue, flagged, reasons = flags(D(2026, 9, 15))
    assert not overdue and flagged and reasons == "督办2次"
    # A repeat at the same 点位 within 30 days is 挂牌 at once; after 30 days it is not.
    repeat = new_finding(office, place, found_on="2026-09-20")
    far = sites.create_site(office, {"name": "解放路", "site_type": "主干道"}, None,
                            [unit_id])
    first = new_finding(office, far, found_on="2026-06-01")
    later = new_finding(office, far, found_on="2026-08-01")
    found = {f["id"]: f for f in supervision.list_findings(office, FindingFilter(flagged=True),
                                                            today=D(2026, 9, 21))[0]}
    assert repeat in found and found[repeat]["flag_reasons"] == "同一点位重复出现"
    assert first not in found and later not in found
    counts = supervision.counts(office, D(2026, 9, 21))
    assert counts["flagged"] == len(found) == 2
    # A closed finding is never overdue nor 挂牌.
    supervision.sign(office, late, "张三", "2026-09-15")
    supervision.start_fixing(office, late, "2026-09-15")
    supervision.feedback(office, late, "好了", "2026-09-16")
    supervision.review(office, late, "李四", True, "", on_date="2026-09-17")
    assert flags(D(2026, 12, 1)) == (False, False, "")


def test_filters_and_per_unit_view(office, place):
    cg = units.resolve_one(office, "区城管局")
    zj = units.resolve_one(office, "区住建局")
    a = new_finding(office, place, support_ids=[zj])
    b = new_finding(office, place, unit_id=zj)
    ids = lambda flt: {f["id"] for f in supervision.list_findings(office, flt)[0]}  # noqa: E731
    assert ids(FindingFilter(unit_id=cg)) == {a}
    assert ids(FindingFilter(unit_id=zj)) == {b}
    assert ids(FindingFilter(unit_id=zj, include_support=True)) == {a, b}
    street = units.resolve_one(office, "城关街道办事处")
    assert ids(FindingFilter(locality_id=street, site_type="主干道")) == {a, b}
    assert ids(FindingFilter(site_type="社区")) == set()
    assert ids(FindingFilter(status="待交办", text="垃圾")) == {a, b}
    found, total = supervision.list_findings(office, FindingFilter(), limit=1)
    assert len(found) == 1 and total == 2
    assert found[0]["support"] == "" or found[0]["support"] == "区住建局"
    with pytest.raises(AppError):
        supervision.list_findings(office, FindingFilter(status="乱写"))
    owes = {r["unit"]: r for r in supervision.unit_owes(office)}
    assert owes["区城管局"]["open"] == 1 and owes["区住建局"]["waiting"] == 1


def test_demo_district_has_findings_at_every_stage(demo_db):
    statuses = {f["status"] for f in supervision.list_findings(demo_db)[0]}
    assert statuses == set(supervision.STATUSES) - set()  # every stage is shown
    c = supervision.counts(demo_db)
    assert c["overdue"] and c["flagged"] and c["waiting"]
    notices = supervision.list_notices(demo_db)
    assert any(n["voided"] for n in notices)
    seqs = sorted(n["seq"] for n in notices)
    assert seqs == list(range(1, len(seqs) + 1))


def test_dates_are_read_as_people_write_them(office, place):
    fid = new_finding(office, place, found_on="2026年9月28日", requested_due="2026/10/9")
    f = supervision.get_finding(office, fid)
    assert (f["found_on"], f["requested_due"]) == ("2026-09-28", "2026-10-09")
    with pytest.raises(AppError, match="发现日期“昨天”不是有效的日期"):
        new_finding(office, place, found_on="昨天")
    assert office.value("SELECT count(*) FROM findings") == 1


def test_the_day_set_for_the_program_decides_what_is_overdue(office, place, monkeypatch):
    fid = new_finding(office, place)
    supervision.issue_notice(office, supervision.get_finding(office, fid)["unit_id"], [fid], issued_on="2026-09-30")
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-10-13")  # the deadline itself
    assert supervision.counts(office)["overdue"] == 0
    assert not supervision.list_findings(office, FindingFilter(overdue=True))[0]
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-10-14")
    assert supervision.counts(office)["overdue"] == 1
    assert [f["id"] for f in supervision.list_findings(office, FindingFilter(overdue=True))[0]] == [fid]


def test_site_search_takes_percent_and_underscore_literally(office, place):
    sites.create_site(office, {"name": "东岗农贸市场", "site_type": "集贸市场", "address": "东岗路100%号"})
    assert [s["name"] for s in sites.list_sites(office, text="100%")] == ["东岗农贸市场"]
    assert sites.list_sites(office, text="%") == [s for s in sites.list_sites(office) if "%" in s["address"]]
    assert sites.list_sites(office, text="_") == []


def test_a_step_on_a_finding_a_colleague_moved_since_is_refused_with_who_and_when(office, place):
    from core.errors import EditConflict

    fid = new_finding(office, place)
    supervision.issue_notice(office, supervision.get_finding(office, fid)["unit_id"], [fid], issued_on="2026-09-30")
    listed = supervision.list_findings(office, FindingFilter(ids=(fid,)))[0][0]  # what the list shows
    supervision.sign(office, fid, "张三", "2026-10-08", expected_version=listed["version"])  # the first click
    events = len(supervision.history(office, fid))
    with pytest.raises(EditConflict) as refused:  # a second window still showing it 已交办
        supervision.sign(office, fid, "李四", "2026-10-08", expected_version=listed["version"])
    assert f"已被{office.operator}于 " in refused.value.message_zh
    assert len(supervision.history(office, fid)) == events
    assert supervision.history(office, fid)[-1]["person"] == "张三"
    fresh = supervision.list_findings(office, FindingFilter(ids=(fid,)))[0][0]  # after reloading
    supervision.start_fixing(office, fid, "2026-10-08", expected_version=fresh["version"])
    assert status(office, fid) == "整改中"
    with pytest.raises(EditConflict):
        supervision.review(office, fid, "王五", True, on_date="2026-10-09", expected_version=fresh["version"])
