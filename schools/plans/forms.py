"""Forms for plans: the hand edit of the adopted plan, and the district year choice."""

from django import forms


class PlanEditForm(forms.Form):
    """One row per class (name, teacher, students per grade) plus one blank row for a new class."""

    EXTRA_ROWS = 1

    reason = forms.CharField(
        label="Why keep this edit", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Needed only when the edit breaks a rule: it is shown on the plan and in its PDF.",
    )

    def __init__(self, *args, table: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [g["code"] for g in table["grades"]]
        self.grade_names = [g["name"] for g in table["grades"]]
        rows = table["rows"] + [None] * self.EXTRA_ROWS
        self.row_count = len(rows)
        for i, row in enumerate(rows):
            self.fields[f"c{i}_name"] = forms.CharField(
                label=f"Class {i + 1} name", max_length=40, required=False,
                initial=row["name"] if row else "",
            )
            self.fields[f"c{i}_teacher"] = forms.CharField(
                label=f"Class {i + 1} teacher", max_length=80, required=False,
                initial=row["teacher_name"] if row else "",
            )
            for j, code in enumerate(self.codes):
                self.fields[f"c{i}_g{j}"] = forms.IntegerField(
                    label=f"Class {i + 1} grade {code}", min_value=0, max_value=999, required=False,
                    initial=(row["counts"][j] if row else None),
                    widget=forms.NumberInput(attrs={"size": 3, "class": "count"}),
                )

    def rows(self):
        """Per row, for the template: {"name": (field name, value), "teacher": (...), "counts":
        [(field name, value, grade index)]}, values as typed (bound) or as saved. Plain pairs:
        the page writes its own inputs (a widget per cell is slow for a few hundred cells)."""

        def value(name):
            if self.is_bound:
                return self.data.get(name, "")
            initial = self.fields[name].initial
            return "" if initial is None else initial

        return [
            {"index": i, "name": (f"c{i}_name", value(f"c{i}_name")),
             "teacher": (f"c{i}_teacher", value(f"c{i}_teacher")),
             "counts": [(f"c{i}_g{j}", value(f"c{i}_g{j}"), j) for j in range(len(self.codes))]}
            for i in range(self.row_count)
        ]

    def field_errors(self) -> list[tuple[str, str]]:
        """(label, messages) of each field with an error, e.g. ("Class 2 grade K", "...")."""
        return [(self.fields[name].label, " ".join(errors)) for name, errors in self.errors.items()
                if name in self.fields]

    def classes(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "name": data.get(f"c{i}_name", ""),
                "teacher_name": data.get(f"c{i}_teacher", ""),
                "counts": {code: data.get(f"c{i}_g{j}") or 0 for j, code in enumerate(self.codes)},
            }
            for i in range(self.row_count)
        ]


class DistrictYearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, label="Year")
