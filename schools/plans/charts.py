"""Every chart of Classplan, as inline SVG text: pure functions, data in, SVG out.

Used by the admin pages, the portal and the PDFs (WeasyPrint draws the same SVG). Nothing
here touches the database, so a chart can be cached by its input (e.g. per plan).

Conventions: matplotlib's object API (no pyplot, so charts can be drawn in worker threads);
every piece of text is plain text, never matplotlib mathtext (`text.parse_math` off), so a
class called `K-A $\\x$` is drawn as typed; SVG ids are prefixed per chart so several charts
on one page never share an id.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from schools.models import grade_label  # noqa: E402

PALETTE = ["#1f6f8b", "#e07b39", "#3a9d5d", "#8e5ea2", "#c9a227", "#d1495b", "#4f7cac",
           "#7a8b99", "#2a9d8f", "#a0522d", "#6d597a", "#b56576", "#355070"]
INK, MUTED, WARN, COMPOSITE = "#1d2733", "#5b6b7c", "#b3261e", "#e6a700"
BLUE, ORANGE, GREEN = "#2563eb", "#f59e0b", "#16a34a"
RC = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable
    "svg.hashsalt": "classplan",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.parse_math": False,  # names are plain text: "$...$" is never mathtext
    "text.usetex": False,
}
COMPARISON_TITLES = {"enrolment": "Students per grade", "classes": "Classes and teachers",
                     "sizes": "Class sizes"}


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an <svg> element to inline in HTML: no XML prolog, and ids prefixed so
    several charts on one page (or PDF) never share an id or borrow each other's clip paths."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _prefix_ids(re.sub(r"^.*?(?=<svg)", "", buffer.getvalue(), flags=re.S), prefix)


def _prefix_ids(svg: str, prefix: str) -> str:
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    return re.sub(r'(url\(#|href="#)', rf"\g<1>{prefix}-", svg)


def _style(ax):
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color(MUTED)
    ax.tick_params(colors=INK)


def class_size_chart(table: dict, *, width: float = 6.6) -> str:
    """One horizontal bar per class, split by grade, against the class's allowed sizes.

    `table` is schools.plans.selectors.plan_table's result ("" when it has no classes).
    """
    rows, grades = table["rows"], table["grades"]
    if not rows:
        return ""
    with matplotlib.rc_context(RC):
        # at most ~9 inches tall, so the chart always fits on one A4 page with its heading
        fig = Figure(figsize=(width, min(0.34 * len(rows) + 1.3, 9.0)))
        ax = fig.add_subplot()
        positions = list(range(len(rows)))
        left = [0] * len(rows)
        handles = []
        for i, grade in enumerate(grades):
            widths = [row["counts"][i] or 0 for row in rows]
            if not any(widths):
                continue
            color = PALETTE[i % len(PALETTE)]
            ax.barh(positions, widths, left=left, color=color, edgecolor="white", height=0.7)
            handles.append(Patch(color=color, label=grade["label"]))
            left = [a + b for a, b in zip(left, widths)]
        for y, row in enumerate(rows):
            if "/" in row["grades"]:
                ax.barh(y, row["size"], height=0.84, fill=False, edgecolor=COMPOSITE, linewidth=2)
            if row["max"]:
                ax.plot([row["max"]] * 2, [y - 0.42, y + 0.42], color=WARN, linewidth=2)
            if row["min"]:
                ax.plot([row["min"]] * 2, [y - 0.42, y + 0.42], color=MUTED, linewidth=1, linestyle="--")
            ax.text(max(row["size"], row["max"] or 0) + 0.5, y, str(row["size"]), va="center", fontsize=8,
                    color=WARN if row["fits"] != "ok" else INK)
        labels = [row["name"] + (" (composite)" if "/" in row["grades"] else "") for row in rows]
        ax.set_yticks(positions, labels=labels)
        ax.invert_yaxis()
        ax.set_xlabel("Students in the class")
        top = max([row["max"] or 0 for row in rows] + [row["size"] for row in rows] + [1])
        ax.set_xlim(0, top + 4)
        _style(ax)
        handles += [
            Line2D([], [], color=WARN, linewidth=2, label="largest allowed"),
            Line2D([], [], color=MUTED, linewidth=1, linestyle="--", label="smallest allowed"),
            Patch(fill=False, edgecolor=COMPOSITE, linewidth=2, label="composite class"),
        ]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.01),
                  ncol=min(5 if width > 5 else 3, len(handles)), frameon=False, fontsize=8)
        return _svg(fig, "sizes")


def what_if_chart(rows: list[dict], current: int | None = None) -> str:
    """Classes, composites and average class size per teacher count.

    rows: [{"teachers", "classes", "composites", "average_size"}] (None where no plan exists).
    """
    rows = [r for r in rows if r.get("classes") is not None]
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.0, 3.2))
        ax = fig.add_subplot()
        _style(ax)
        teachers = [r["teachers"] for r in rows]
        ax.bar([t - 0.2 for t in teachers], [r["classes"] for r in rows], width=0.4, color=BLUE,
               label="classes")
        ax.bar([t + 0.2 for t in teachers], [r["composites"] for r in rows], width=0.4, color=ORANGE,
               label="composite classes")
        ax.set_xlabel("Teachers")
        ax.set_ylabel("Classes")
        ax.set_xticks(teachers, [str(t) for t in teachers])  # whole numbers only, on both axes
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        right = ax.twinx()
        right.plot(teachers, [r["average_size"] for r in rows], color=GREEN, marker="o",
                   label="average class size")
        right.set_ylabel("Average class size")
        right.set_ylim(0, max([r["average_size"] for r in rows] + [1]) * 1.2)
        if current is not None:
            ax.axvline(current, color=MUTED, linestyle=":", linewidth=1)
            ax.annotate("now", (current, 0), xytext=(3, 3), textcoords="offset points", fontsize=8, color=MUTED)
        handles, labels = ax.get_legend_handles_labels()
        more_handles, more_labels = right.get_legend_handles_labels()
        ax.legend(handles + more_handles, labels + more_labels, fontsize=7, loc="upper left", frameon=False)
        return _svg(fig, "what-if")


def _year_lines(years: list[int], series: dict[str, list], ylabel: str, prefix: str) -> str:
    """One line per series over the years (None values are gaps)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.0, 2.8))
        ax = fig.add_subplot()
        _style(ax)
        for label, values in series.items():
            ax.plot(years, [v if v is not None else float("nan") for v in values], marker="o", label=label)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncols=min(4, max(1, len(series))))
        return _svg(fig, prefix)


def comparison_charts(rows: list[dict], grade_codes: list[str]) -> list[dict]:
    """The year-comparison charts from `year_comparison_rows`: [{"title", "svg"}] (enrolment,
    classes, class sizes)."""
    years = [r["year"] for r in rows]
    if not years:
        return []
    series = {
        "enrolment": ({grade_label(c): [r["enrolment"].get(c) for r in rows] for c in grade_codes}, "Students"),
        "classes": ({"teachers": [r["teachers"] for r in rows], "classes": [r["classes"] for r in rows],
                     "composite classes": [r["composites"] for r in rows]}, "Count"),
        "sizes": ({"average class size": [r["average_size"] for r in rows],
                   "largest class": [r["largest_size"] for r in rows]}, "Students per class"),
    }
    return [
        {"title": COMPARISON_TITLES[name], "svg": _year_lines(years, lines, ylabel, f"comparison-{name}")}
        for name, (lines, ylabel) in series.items()
    ]
