"""The manifest's facts of a farm site's content defects (absolute URLs, dates, the texts a
defect changes), from the same pure functions the served plan is built from, without building
the plan: generate() stays cheap and the manifest cannot disagree with what is served."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from mgov.demo.farm.content import (
    INTERACTION,
    backdated_item,
    base_url,
    column_items,
    columns,
    expression_item,
    extra_links,
    featured,
    form_paths,
    item_path,
    layout,
    message_path,
    unanswered,
)
from mgov.demo.farm.manifest import Site


def tamper_texts(site: Site) -> dict[str, dict[str, str]]:
    """redflag.tampered: the homepage's header and footer text before and after epoch 2."""
    zh = site.language == "zh"
    name = site.registry.name
    org = site.organization.name_zh if zh else site.organization.name_en
    if zh:
        return {"before": {"header": name, "footer": f"主办：{org}"},
                "after": {"header": f"欢迎访问{name}（新版）",
                          "footer": f"主办：{org}　技术支持：某某网络科技有限公司"}}
    return {"before": {"header": name, "footer": org},
            "after": {"header": f"Welcome to {name} (new site)", "footer": f"{org} · Site managed by a contractor"}}


def site_facts(site: Site, seed: int, today: dt.date) -> dict[str, Any]:
    """For each content defect of the site, the facts the manifest lists (absolute URLs)."""
    base = base_url(site)
    out: dict[str, Any] = {}
    d = site.defects
    if not any(x.startswith(("content.", "links.dead", "interaction.", "redflag.")) for x in d):
        return out
    cols = columns(site, seed)
    _style, per_page = layout(site, seed)
    if "content.home_stale" in d:
        stale = [base + col.path for col in cols if col.state == "stale"]
        newest = max(column_items(site, seed, today, col, bool(per_page))[0].date
                     for col in cols if col.featured)
        out["content.home_stale"] = {"page": base + "/", "newest": newest.isoformat(),
                                     "columns": stale}
    if "content.home_undated" in d:
        out["content.home_undated"] = {"page": base + "/"}
    if "content.columns_stale" in d:
        out["content.columns_stale"] = {"columns": [base + col.path for col in cols
                                                    if col.state == "stale"]}
    if "content.columns_blank" in d:
        out["content.columns_blank"] = {"columns": [base + col.path for col in cols
                                                    if col.state == "blank"]}
    links = extra_links(site, seed)
    for defect, kind in (("links.dead_internal", "dead_internal"),
                         ("links.dead_external", "dead_external"),
                         ("redflag.bad_link", "bad"), ("redflag.hidden_link", "hidden")):
        if defect in d and not (site.role == "big" and defect == "links.dead_internal"):
            out[defect] = {"links": [
                {"url": link.href if "://" in link.href else base + link.href,
                 "pages": [base + link.page], "text": link.text,
                 **({"outcome": link.outcome} if link.outcome else {})}
                for link in links if link.kind == kind]}
    form, action = form_paths(site)
    if "interaction.none" in d:
        out["interaction.none"] = {}
    if "interaction.broken" in d:
        out["interaction.broken"] = {"form": base + form, "action": base + action,
                                     "status": broken_status(site, seed)}
    if "interaction.unanswered" in d:
        board = INTERACTION[site.jurisdiction]
        out["interaction.unanswered"] = {"page": f"{base}/{board.slug}/", "messages": [
            {"title": m.title, "url": base + message_path(site, m),
             "submitted": m.submitted.isoformat()} for m in unanswered(site, seed, today)]}
    if "redflag.expression" in d:
        news = featured(cols, "news")
        item, (wrong, right, _) = expression_item(
            site, seed, today, news, column_items(site, seed, today, news, bool(per_page)))
        out["redflag.expression"] = {"url": base + item_path(site, item), "wrong": wrong,
                                     "right": right, "title": item.title}
    if "redflag.backdated" in d:
        notices = featured(cols, "notices")
        item = backdated_item(site, today, notices)
        out["redflag.backdated"] = {"epoch": 2, "url": base + item_path(site, item),
                                    "column": base + notices.path, "date": item.date.isoformat(),
                                    "title": item.title}
    if "redflag.tampered" in d:
        out["redflag.tampered"] = {"epoch": 2, "page": base + "/", "regions": ["header", "footer"],
                                   **tamper_texts(site)}
    return out


def broken_status(site: Site, seed: int) -> int | None:
    """interaction.broken: the status the form's action answers (None: healthy, 200)."""
    if not site.has("interaction.broken"):
        return None
    return 500 if random.Random(f"{seed}/{site.host}/broken").random() < 0.5 else 404
