"""A self-contained HTML validation report: inline CSS, no script, no outside asset."""

from __future__ import annotations

from html import escape

from .report import Report, ResourceStats

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
.ok{color:#116329} .bad{color:#b42318}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f4f4f5} code{font-size:.85rem} .engine{font-family:monospace}
"""


def _resource(stats: ResourceStats) -> str:
    """``name (rows, engine)``; the reason frictionless judged it in a title and after the name."""
    rows = stats.rows if stats.rows is not None else "?"
    engine = escape(stats.engine or "?")
    why = f" <small>({escape(stats.fallback)})</small>" if stats.fallback else ""
    return f"{escape(stats.name)} ({rows}, <span class=engine>{engine}</span>){why}"


def render_report(report: Report, title: str = "Validation report") -> str:
    status = ("<p class=ok>Valid: every package passed.</p>" if report.valid else
              f"<p class=bad>Invalid: {len(report.findings)} finding(s).</p>")
    parts = ["<!doctype html><html lang=en><meta charset=utf-8>",
             "<meta name=viewport content='width=device-width,initial-scale=1'>",
             f"<title>{escape(title)}</title><style>{_CSS}</style>",
             f"<h1>{escape(title)}</h1>", status,
             "<table><tr><th>Package</th><th>Status</th><th>Resources (rows, engine)</th>"
             "<th>Expectations run</th><th>Findings</th></tr>"]
    for p in report.packages:
        resources = ", ".join(_resource(r) for r in p.resources)
        state = "<span class=ok>valid</span>" if p.valid else "<span class=bad>invalid</span>"
        parts.append(f"<tr><td><a href='#{escape(p.name)}'>{escape(p.name)}</a></td><td>{state}</td>"
                     f"<td>{resources}</td><td>{p.expectations_run}</td><td>{len(p.findings)}</td></tr>")
    parts.append("</table>")
    for p in report.packages:
        parts.append(f"<h2 id='{escape(p.name)}'>{escape(p.name)}</h2>")
        if p.valid:
            parts.append("<p class=ok>No findings.</p>")
            continue
        parts.append("<table><tr><th>Code</th><th>Resource</th><th>Row</th><th>Field</th>"
                     "<th>Check</th><th>Note</th></tr>")
        for f in p.findings:
            cells = [f.code, f.resource or "", "" if f.row is None else str(f.row), f.field or "",
                     f.check or "", f.note]
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells[:-1])
                         + f"<td><code>{escape(cells[-1])}</code></td></tr>")
        parts.append("</table>")
    parts.append("</html>\n")
    return "\n".join(parts)
