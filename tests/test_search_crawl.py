"""A crawl makes what it committed searchable: `mgov crawl` of a small farm site indexes its
pages, and `mgov archive search` finds them by the words they show (the organization's name
in Chinese, a word of its English name), with replay links; nothing is indexed twice."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from mgov.db.tables import ARCHIVE_RECORDS, SEARCH_DOCUMENTS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file


@pytest.fixture(scope="module")
def farm() -> Any:
    manifest = generate(23, 2, defect_rate=0.0)
    with run_in_thread(manifest) as running:
        yield running


def test_a_crawled_site_is_searchable(engine: Any, cli: Any, farm: Any, tmp_path: Any) -> None:
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    site = next(s for s in farm.manifest.sites if s.role == "site" and s.language == "zh")
    result = cli.json("crawl", "--channel", site.registry.address, "--max-pages", "8", "--max-seconds", "60",
                      "--allow-private", "--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem),
                      *(a for c in farm.connect_to for a in ("--connect-to", c)), "--json")
    with engine.connect() as conn:
        pages = conn.execute(select(func.count()).select_from(SEARCH_DOCUMENTS)
                             .where(SEARCH_DOCUMENTS.c.kind == "page")).scalar_one()
        unread = conn.execute(select(func.count()).select_from(ARCHIVE_RECORDS)
                              .where(ARCHIVE_RECORDS.c.text_id.is_(None))).scalar_one()
    assert result["search_indexed"] >= pages >= 2 and unread == 0
    name = site.organization.name_zh
    found = cli.json("archive", "search", name[:4], "--org", site.organization.code, "--json")
    assert found["count"] >= 1
    assert all(site.host in h["url"] and h["org"] == site.organization.code for h in found["hits"])
    assert all(h["replay"].startswith(f"/replay/{site.organization.code}/") for h in found["hits"])
    assert any(name[:4] in h["snippet"] or name[:4] in (h["title"] or "") for h in found["hits"])
    assert cli.json("archive", "search", "--reindex", "--json")["indexed"] == 0
