"""Reports of an assessment: per organization, tier and channel, as HTML, PDF, CSV and XLSX with
SVG charts, and the bulletin (检查情况通报) in the style of the State Council's quarterly notices.

    from mgov.reports import load_report, write
    report = load_report(engine, assessment_id, org="cn-440300", lang="zh")
    write(report, Path("report.pdf"), "pdf", bulletin=False)
"""

from mgov.reports.charts import histogram_svg, ranking_svg, trend_svg
from mgov.reports.model import ChannelView, GroupView, OrgInfo, PeriodPoint, Problem, Report, build_report, period_label
from mgov.reports.render import FORMATS, render_csv, render_html, render_pdf, render_xlsx, write
from mgov.reports.source import load_report, read_history, read_registry

__all__ = ["FORMATS", "ChannelView", "GroupView", "OrgInfo", "PeriodPoint", "Problem", "Report", "build_report",
           "histogram_svg", "load_report", "period_label", "ranking_svg", "read_history", "read_registry",
           "render_csv", "render_html", "render_pdf", "render_xlsx", "trend_svg", "write"]
