"""丢分分析 (scoring): 测评轮次 and their scored lines, who is accountable for each lost point
("谁丢分、谁负责"), the loss reports by unit / 测评项目 / 属地 / 点位类型 / standard, a unit's own
page, comparing two rounds, trends, and turning losses into 整改 tasks or 督查 findings.

The area's modules, one concern each: points (a line's arithmetic), rounds, results (lines, hand
entry), importing (a results file into the ledger), attribution, reports, compare, tables (reports
with keyed columns for screen, Excel and PDF), exports (the files), loss_findings.
"""

from core.scoring.attribution import (HOW_NAMES, LEAD, LEADS_SQL, LOCALITY, NAMED, attribute,
                                      attribution_settings, set_attribution)
from core.scoring.compare import category_names, compare_rounds, trend
from core.scoring.exports import (export_compare, export_report, export_tasks, export_unit_page, notice_content,
                                  write_report_pdf, write_report_word, write_unit_page_pdf, write_unit_page_word)
from core.scoring.importing import FORM_PER_SITE, FORM_PER_STANDARD, check_results, import_results
from core.scoring.loss_findings import findings_from_losses
from core.scoring.points import EPS, ScoreError, norm_title, settle_scores
from core.scoring.reports import (BY_CATEGORY, BY_GROUP, BY_LOCALITY, BY_SITE_TYPE, BY_STANDARD, BY_UNIT, GROUPINGS,
                                  REPORT_KINDS, UNNAMED_GROUP, UNNAMED_LOCALITY, UNNAMED_SITE_TYPE, rank_rows, report_by,
                                  report_by_unit, round_summary, top_standards, unattributed_losses, unit_losses)
from core.scoring.results import (LINES_SQL, NAMED_UNITS_SQL, UNNAMED_CATEGORY, LineMatcher, add_line, delete_lines,
                                  get_line, insert_lines, lines, prepare_line, update_line)
from core.scoring.rounds import (CITY, KINDS, MOCK, NATIONAL, PROVINCE, SELF_CHECK, create_round, delete_round,
                                 find_round, get_round, infer_kind, list_rounds, resolve_round, update_round)
from core.scoring.tables import (COUNT, DATE, POINTS, POINTS_CHANGE, RATE, RATE_CHANGE, TEXT, Column, ReportTable,
                                 compare_tables, report_table, task_table, unit_page_table)
from core.scoring.surveys import (INDICATORS as SURVEY_INDICATORS, SURVEY_METHOD, delete_survey_result,
                                  import_survey, is_met, parse_rate, rate_text, record_survey_result,
                                  round_surveys, survey_standards, survey_trend)
