"""Small SVG charts, written by hand (no plotting library): the ranking bar chart, the score
distribution histogram and the trend over periods. Each returns one <svg> element as text,
well-formed XML, to inline in HTML (WeasyPrint renders inline SVG into the PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mgov.reports.model import ChannelView, PeriodPoint

FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
COLORS = {"pass": "#2f6fb0", "fail": "#c0392b", "not_assessed": "#9aa0a6"}


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(FONT)}" font-size="11" role="img">'
            f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, s: str, anchor: str = "start", size: int = 11, fill: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
            f'{escape(s)}</text>')


def ranking_svg(channels: Sequence[ChannelView], title: str, *, total: float = 100.0, pass_mark: float = 60.0,
                unscored: str = "—", limit: int = 40) -> str:
    """One horizontal bar per ranked channel (rank order, at most limit): its score out of total,
    colored by verdict; channels without a score (vetoed, not assessed) get an empty bar and
    their verdict as label. A dashed line marks the pass mark."""
    ranked = sorted((c for c in channels if c.rank is not None), key=lambda c: (c.rank, c.address))[:limit]
    label_w, bar_w, row, top = 260.0, 300.0, 18.0, 28.0
    width, height = label_w + bar_w + 60, top + row * max(len(ranked), 1) + 24
    body = [_text(4, 16, title, size=13)]
    for n, c in enumerate(ranked):
        y = top + n * row
        w = bar_w * max(0.0, min(c.score, total)) / total if c.score is not None else 0.0
        name = c.address if len(c.address) <= 42 else c.address[:41] + "…"
        body.append(_text(label_w - 6, y + 12, f"{c.rank}. {name}", anchor="end", size=10))
        body.append(f'<rect class="bar bar-{c.verdict}" data-address="{escape(c.address)}" x="{label_w:.1f}" '
                    f'y="{y + 2:.1f}" width="{w:.1f}" height="{row - 5:.1f}" fill="{COLORS.get(c.verdict, "#888")}"/>')
        value = f"{c.score:g}" if c.score is not None else (c.verdict_label or unscored)
        body.append(_text(label_w + w + 4, y + 12, value, size=10))
    mark_x = label_w + bar_w * pass_mark / total
    body.append(f'<line x1="{mark_x:.1f}" y1="{top - 4:.1f}" x2="{mark_x:.1f}" y2="{height - 20:.1f}" '
                'stroke="#c0392b" stroke-dasharray="4 3" stroke-width="1"/>')
    body.append(_text(mark_x, height - 8, f"{pass_mark:g}", anchor="middle", size=9, fill="#c0392b"))
    return _svg(width, height, body, title)


def histogram_svg(scores: Sequence[float], title: str, *, total: float = 100.0, bins: int = 10,
                  pass_mark: float = 60.0) -> str:
    """Scores in equal bins over 0..total (the last bin includes total); one bar per bin."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s / total * bins)))] += 1
    peak = max(counts) or 1
    left, bottom, plot_w, plot_h = 36.0, 30.0, 440.0, 160.0
    width, height = left + plot_w + 16, 28 + plot_h + bottom
    base = 28 + plot_h
    bw = plot_w / bins
    body = [_text(4, 16, title, size=13),
            f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#444"/>']
    for i, n in enumerate(counts):
        lo = total * i / bins
        h = plot_h * n / peak
        x = left + i * bw
        fill = COLORS["pass"] if lo >= pass_mark else COLORS["fail"]
        body.append(f'<rect class="bin" data-count="{n}" x="{x + 2:.1f}" y="{base - h:.1f}" width="{bw - 4:.1f}" '
                    f'height="{h:.1f}" fill="{fill}"/>')
        if n:
            body.append(_text(x + bw / 2, base - h - 3, str(n), anchor="middle", size=10))
        body.append(_text(x, base + 14, f"{lo:g}", anchor="middle", size=9))
    body.append(_text(left + plot_w, base + 14, f"{total:g}", anchor="middle", size=9))
    return _svg(width, height, body, title)


def trend_svg(points: Sequence[PeriodPoint], title: str, *, score_label: str = "mean score",
              rate_label: str = "pass rate %") -> str:
    """Mean score and pass rate (both 0..100) over the periods, as two polylines."""
    left, plot_w, plot_h, top = 40.0, 420.0, 150.0, 30.0
    width, height = left + plot_w + 30, top + plot_h + 50
    base = top + plot_h
    step = plot_w / max(len(points) - 1, 1)
    body = [_text(4, 16, title, size=13),
            f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#444"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#444"/>']
    for v in (0, 50, 100):
        body.append(_text(left - 4, base - plot_h * v / 100 + 3, str(v), anchor="end", size=9))
    for i, p in enumerate(points):
        body.append(_text(left + i * step, base + 14, p.period, anchor="middle", size=9))
    for attr, color, label, dy in (("mean_score", COLORS["pass"], score_label, 0),
                                   ("pass_rate", "#e67e22", rate_label, 14)):
        xy = [(left + i * step, base - plot_h * getattr(p, attr) / 100) for i, p in enumerate(points)
              if getattr(p, attr) is not None]
        if xy:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            body.append(f'<polyline class="series" points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in xy]
        body.append(f'<rect x="{left + 10}" y="{base + 24 + dy}" width="10" height="3" fill="{color}"/>')
        body.append(_text(left + 24, base + 29 + dy, label, size=9))
    return _svg(width, height, body, title)
