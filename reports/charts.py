"""Charts for report PDFs and portal pages: matplotlib figures saved as inline SVG strings.

Uses matplotlib's object API (no pyplot), so charts can be drawn in worker threads.
"""

import io
import re

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

PALETTE = ["#1f6f8b", "#e07b39", "#3a9d5d", "#8e5ea2", "#c9a227", "#d1495b", "#4f7cac",
           "#7a8b99", "#2a9d8f", "#a0522d", "#6d597a", "#b56576", "#355070"]
INK, MUTED, WARN, COMPOSITE = "#1d2733", "#5b6b7c", "#b3261e", "#e6a700"
RC = {"svg.fonttype": "none", "svg.hashsalt": "classplan", "font.family": "DejaVu Sans", "font.size": 9}


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

    `table` is schools.plans.selectors.plan_table's result.
    """
    rows, grades = table["rows"], table["grades"]
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
            label = grade["name"] if grade["name"] != grade["code"] else f"Grade {grade['code']}"
            handles.append(Patch(color=color, label=label))
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


COMPARISON_TITLES = {"enrolment": "Students per grade", "classes": "Classes and teachers",
                     "sizes": "Class sizes"}


def comparison_charts(rows: list[dict], grade_codes: list[str]) -> list[dict]:
    """The year-comparison charts, the same as on the plans pages (schools.plans.charts):
    [{"title", "svg"}]."""
    from schools.plans.charts import year_comparison_svgs

    return [
        {"title": COMPARISON_TITLES.get(name, name.capitalize()), "svg": _prefix_ids(svg, f"comparison-{name}")}
        for name, svg in year_comparison_svgs(rows, grade_codes).items()
    ]
