"""The bundled demo: the registry from real .gov data plus a sample Chinese registry.

Later issues extend it with the simulated site farm and a first scan.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import as_file, files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mgov.cli.common import State


def run_demo(st: State) -> None:
    from collections import Counter

    from mgov.cli.common import console, print_table
    from mgov.db.engine import upgrade
    from mgov.i18n import t
    from mgov.io.load import import_file
    from mgov.registry.audit import RULES, load_inputs, run_audit

    st.settings.home.mkdir(parents=True, exist_ok=True)
    engine = st.engine(check_schema=False)
    upgrade(engine)
    data = files("mgov.demo") / "data"
    for fmt, name in (("dotgov", "current-full.csv"), ("native", "cn-sample.yaml")):
        with as_file(data / name) as path:
            result = import_file(engine, path, fmt)
        console.print(t(st.lang, "import_summary", read=result.rows_read, file=name,
                        bad=len(result.problems), changes=result.report.changes))
    with engine.connect() as conn:
        inputs = load_inputs(conn)
    findings = run_audit(inputs, st.settings.audit, dt.date.today())
    by_rule = Counter(f.rule for f in findings)
    print_table(st.lang, [{"rule": r, "severity": RULES[r]["severity"], "count": n}
                          for r, n in sorted(by_rule.items())], ["rule", "severity", "count"])
    cn = [f.as_dict(st.lang) for f in findings if (f.organization or "").startswith("cn-")]
    print_table(st.lang, cn[:30], ["rule", "subject", "organization", "reason"])
    console.print(t(st.lang, "audit_summary", n=len(findings), channels=len(inputs.channels)))
