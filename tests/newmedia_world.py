"""What the capture tests share: a check of the tests' own that stores the `newmedia` evidence
it was given as its finding's value (the real checks are registered elsewhere), import files
written as an office would, and reading the run's rows back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine, select

from mgov.checks import plugins
from mgov.checks.base import Check, Finding, Status
from mgov.evidence.site import SiteEvidence
from mgov.registry import vocab

D1 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
POST_COLUMNS = ["post_id", "published", "title", "text", "url", "links", "media", "comments_open", "original",
                "deleted"]


class EvidenceProbe(Check):
    """Passes, with the capture's evidence in its value: what the checks would read."""

    id = "test.newmedia_probe"
    title_en = title_zh = "new-media evidence"
    fix_en = fix_zh = "-"
    needs: ClassVar[frozenset[str]] = frozenset({"newmedia"})
    kinds: ClassVar[frozenset[str]] = vocab.ACCOUNT_KINDS

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        nm = ev.newmedia
        assert nm is not None
        value = {
            "status": nm.status.value, "source": nm.source, "platform": nm.platform, "error": nm.error,
            "posts": [p.post_id for p in nm.posts], "window_complete": nm.window_complete,
            "changes": [[c.post_id, c.kind.value, c.before_text] for c in nm.changes],
            "profile": nm.profile.name if nm.profile else None,
            "previous": nm.previous_profile.name if nm.previous_profile else None,
            "profile_changes": [[c.field, c.before, c.after, c.filed] for c in nm.profile_changes],
            "siblings": nm.siblings, "warc": len(nm.warc),
            "links": sorted([c.url, c.ok, c.where, c.post_id, c.error] for c in nm.links),
            "post_warc": [p.warc is not None for p in nm.posts],
        }
        return self.finding(Status.PASS, value, evidence=nm.warc)


@pytest.fixture
def probe_check(monkeypatch: pytest.MonkeyPatch) -> str:
    found = dict(plugins.all_checks())
    found[EvidenceProbe.id] = EvidenceProbe()
    monkeypatch.setattr(plugins, "all_checks", lambda: found)
    return EvidenceProbe.id


def posts_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, POST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()})
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def account_csv(posts_file: Path, **facts: Any) -> Path:
    path = posts_file.with_name(posts_file.stem + ".account.csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, list(facts), lineterminator="\n")
    writer.writeheader()
    writer.writerow(facts)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def evidence_of(engine: Engine, run: int, address: str | None = None) -> dict[str, Any]:
    """The probe's value for the run's (one, or this) channel."""
    from mgov.db.tables import CHANNELS, FINDINGS

    query = (select(FINDINGS.c.value, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
             .where(FINDINGS.c.run_id == run, FINDINGS.c.check_id == EvidenceProbe.id))
    with engine.connect() as conn:
        rows = {r.address: r.value for r in conn.execute(query)}
    value = rows[address] if address else next(iter(rows.values()))
    return value if isinstance(value, dict) else json.loads(value)
