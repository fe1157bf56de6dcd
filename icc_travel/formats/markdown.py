"""Markdown for reports and issue comments: the table, details and footer with the as-of date."""

from __future__ import annotations

from icc_travel.formats import Report, cell


def escape(text: str) -> str:
    """Table cells and lines that cannot break the table or inject markup or HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def render(report: Report) -> str:
    lines = []
    if report.title:
        lines += [f"**{escape(report.title)}**", ""]
    lines.append("| " + " | ".join(header for _, header in report.columns) + " |")
    lines.append("|" + "|".join("---" for _ in report.columns) + "|")
    for row in report.rows:
        lines.append("| " + " | ".join(escape(cell(row.get(key))) for key, _ in report.columns) + " |")
    for heading, items in report.details:
        lines += ["", f"**{escape(heading)}**", ""] + [f"- {escape(item)}" for item in items]
    footer = report.footer_lines()
    if footer:
        lines += [""] + [f"_{escape(line)}_" for line in footer]
    return "\n".join(lines) + "\n"
