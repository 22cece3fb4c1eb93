"""Charts as inline SVG text (matplotlib, Agg): pure functions, data in, SVG out.

Used by the admin pages and by the reports app for PDFs. Nothing here touches the database.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

BLUE, ORANGE, RED, GREEN, GREY = "#2563eb", "#f59e0b", "#dc2626", "#16a34a", "#6b7280"
plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue so it can be inlined in HTML


def _figure(width=7.0, height=3.2):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def class_sizes_svg(classes: list[dict], title: str = "") -> str:
    """Bar chart of class sizes with each class's min/max limits as ticks.

    classes: [{"name", "size", "min", "max", "composite": bool}] (min/max may be None).
    """
    fig, ax = _figure(max(4.0, 0.55 * len(classes) + 2))
    names = [c["name"] for c in classes]
    sizes = [c["size"] for c in classes]
    colours = [ORANGE if c.get("composite") else BLUE for c in classes]
    for i, c in enumerate(classes):
        if c.get("max") is not None and c["size"] > c["max"] or c.get("min") is not None and c["size"] < c["min"]:
            colours[i] = RED
    bars = ax.bar(range(len(classes)), sizes, color=colours, width=0.65)
    ax.bar_label(bars, padding=2, fontsize=8)
    for i, c in enumerate(classes):
        for limit, style in (("max", "-"), ("min", "--")):
            if c.get(limit) is not None:
                ax.hlines(c[limit], i - 0.4, i + 0.4, colors=GREY, linestyles=style, linewidth=1.2)
    ax.set_xticks(range(len(classes)), names, rotation=45 if len(classes) > 10 else 0, fontsize=8)
    ax.set_ylabel("Students")
    top = max([c.get("max") or 0 for c in classes] + sizes + [1])
    ax.set_ylim(0, top * 1.15)
    handles = [Line2D([], [], color=GREY, label="largest allowed"),
               Line2D([], [], color=GREY, linestyle="--", label="fewest allowed"),
               Patch(color=BLUE, label="single grade"), Patch(color=ORANGE, label="composite")]
    ax.legend(handles=handles, fontsize=7, loc="upper right", ncols=4, frameon=False, bbox_to_anchor=(1, 1.12))
    if title:
        ax.set_title(title, fontsize=10, loc="left", pad=18)
    return _svg(fig)


def what_if_svg(rows: list[dict], current: int | None = None) -> str:
    """Classes, composites and average class size per teacher count.

    rows: [{"teachers", "classes", "composites", "average_size"}] (None where no plan exists).
    """
    fig, ax = _figure()
    rows = [r for r in rows if r.get("classes") is not None]
    teachers = [r["teachers"] for r in rows]
    ax.bar([t - 0.2 for t in teachers], [r["classes"] for r in rows], width=0.4, color=BLUE, label="classes")
    ax.bar([t + 0.2 for t in teachers], [r["composites"] for r in rows], width=0.4, color=ORANGE,
           label="composite classes")
    ax.set_xlabel("Teachers")
    ax.set_ylabel("Classes")
    ax.set_xticks(teachers)
    right = ax.twinx()
    right.plot(teachers, [r["average_size"] for r in rows], color=GREEN, marker="o", label="average class size")
    right.set_ylabel("Average class size")
    right.set_ylim(0, max([r["average_size"] for r in rows] + [1]) * 1.2)
    if current is not None:
        ax.axvline(current, color=GREY, linestyle=":", linewidth=1)
        ax.annotate("now", (current, 0), xytext=(3, 3), textcoords="offset points", fontsize=8, color=GREY)
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7, loc="upper left", frameon=False)
    return _svg(fig)


def year_lines_svg(years: list[int], series: dict[str, list], ylabel: str) -> str:
    """One line per series over the years (None values are gaps)."""
    fig, ax = _figure(6.0, 2.8)
    for label, values in series.items():
        ax.plot(years, [v if v is not None else float("nan") for v in values], marker="o", label=label)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=min(4, max(1, len(series))))
    return _svg(fig)


def year_comparison_svgs(rows: list[dict], grade_codes: list[str]) -> dict[str, str]:
    """The year-comparison charts from `year_comparison_rows`: enrolment, classes, class sizes."""
    years = [r["year"] for r in rows]
    if not years:
        return {}
    return {
        "enrolment": year_lines_svg(
            years, {f"Grade {c}": [r["enrolment"].get(c) for r in rows] for c in grade_codes}, "Students"
        ),
        "classes": year_lines_svg(
            years,
            {"teachers": [r["teachers"] for r in rows], "classes": [r["classes"] for r in rows],
             "composite classes": [r["composites"] for r in rows]},
            "Count",
        ),
        "sizes": year_lines_svg(
            years,
            {"average class size": [r["average_size"] for r in rows],
             "largest class": [r["largest_size"] for r in rows]},
            "Students per class",
        ),
    }


def plan_table_svg(table: dict, title: str = "") -> str:
    """The class-size chart of a `plan_table` dict."""
    return class_sizes_svg(
        [{"name": r["name"], "size": r["size"], "min": r["min"], "max": r["max"],
          "composite": "/" in r["grades"]} for r in table["rows"]],
        title,
    )
