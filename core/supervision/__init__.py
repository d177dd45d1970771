"""督查督办 (supervision): the 点位 register, findings and their way from 交办 to 销号, 督办通知单
with gap-free yearly numbers, overdue and 挂牌督办, 通报, the working-day calendar for 整改时限, and
findings in and out of Excel.

    rules      statuses, sources, severities; overdue and 挂牌 bound to one day
    sites      点位库
    workdays   working days (法定节假日 and 调休) for deadlines
    findings   recording, checking and correcting a finding
    lifecycle  the moves of a finding (签收 … 销号) and their events
    queries    the finding list's filter, the list, counts and what each unit owes
    notices    督办通知单: issue, void, 回执, print
    bulletin   通报
    importing  findings from and to Excel
"""

from core.supervision.bulletin import BY_GROUP as BULLETIN_BY_GROUP
from core.supervision.bulletin import BY_UNIT as BULLETIN_BY_UNIT
from core.supervision.bulletin import NO_GROUP as BULLETIN_NO_GROUP
from core.supervision.bulletin import RANKED_BY as BULLETIN_RANKED_BY
from core.supervision.bulletin import bulletin_data, write_bulletin
from core.supervision.findings import (CORRECTABLE_FIELDS, FIELDS_SET_AT_ISSUE, check_active_unit, create_finding,
                                       default_unit, editable_fields, find_standard, get_finding, insert_finding,
                                       standard_choices, standard_lead, update_finding, validate_finding)
from core.supervision.importing import export_findings, import_findings, parse_findings
from core.supervision.lifecycle import (TRANSITIONS, WORKFLOW, allowed_actions, feedback, history, record_event,
                                        review, sign, start_fixing)
from core.supervision.notices import (default_requirement, find_notice, format_number, get_notice, issue_notice,
                                      list_notices, notice_document, record_receipt, render_notices, void_notice,
                                      write_notices)
from core.supervision.queries import (FindingFilter, count_query, counts, counts_query, list_findings, list_query,
                                      text_condition, unit_owes)
from core.supervision.rules import (CLOSED, FAILED, FIXING, ISSUED, OPEN, OPEN_SQL, OVERDUE_SQL, OWING, PASSED,
                                    PENDING, REPORTED, REVIEW_RESULTS, SEVERITIES, SIGNED, SOURCES, STATUSES, Rules,
                                    day_rules, flag_reasons, flagged_sql, is_overdue)
from core.supervision.sites import (create_site, find_site, get_site, list_sites, retire_site, site_for_entry,
                                    update_site)

__all__ = [
    "BULLETIN_BY_GROUP", "BULLETIN_BY_UNIT", "BULLETIN_NO_GROUP", "BULLETIN_RANKED_BY", "bulletin_data", "write_bulletin",
    "CORRECTABLE_FIELDS", "FIELDS_SET_AT_ISSUE", "check_active_unit", "create_finding", "default_unit",
    "editable_fields", "find_standard", "get_finding", "insert_finding", "standard_choices", "standard_lead",
    "update_finding", "validate_finding",
    "export_findings", "import_findings", "parse_findings",
    "TRANSITIONS", "WORKFLOW", "allowed_actions", "feedback", "history", "record_event", "review", "sign",
    "start_fixing",
    "default_requirement", "find_notice", "format_number", "get_notice", "issue_notice", "list_notices",
    "notice_document", "record_receipt", "render_notices", "void_notice", "write_notices",
    "FindingFilter", "count_query", "counts", "counts_query", "list_findings", "list_query", "text_condition",
    "unit_owes",
    "CLOSED", "FAILED", "FIXING", "ISSUED", "OPEN", "OPEN_SQL", "OVERDUE_SQL", "OWING", "PASSED", "PENDING",
    "REPORTED", "REVIEW_RESULTS", "SEVERITIES", "SIGNED", "SOURCES", "STATUSES", "Rules", "flag_reasons",
    "day_rules", "flagged_sql", "is_overdue",
    "create_site", "find_site", "get_site", "list_sites", "retire_site", "site_for_entry", "update_site",
]
