"""Acting on assessments: rectification tasks (整改) with working-day deadlines, disputes (申诉),
and the append-only audit log of every step.

    from mgov.act import load_calendar, open_tasks, review_due, finding_recheck
    cal = load_calendar()
    open_tasks(conn, assessment_id, cal)
    review_due(conn, today, finding_recheck(conn))
"""

from mgov.act.audit_log import entries, record
from mgov.act.disputes import decide, file, list_disputes
from mgov.act.tasks import close_task, finding_recheck, get_task, list_tasks, open_tasks, review_due
from mgov.act.workdays import Calendar, CalendarError, add_working_days, deadline_for, load_calendar
from mgov.assess.overturned import overturned

__all__ = ["Calendar", "CalendarError", "add_working_days", "close_task", "deadline_for", "decide", "entries",
           "file", "finding_recheck", "get_task", "list_disputes", "list_tasks", "load_calendar", "open_tasks",
           "overturned", "record", "review_due"]
