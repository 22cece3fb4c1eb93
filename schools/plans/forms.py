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
                initial=row["name"] if row else "", widget=forms.TextInput(attrs={"size": 10}),
            )
            self.fields[f"c{i}_teacher"] = forms.CharField(
                label=f"Class {i + 1} teacher", max_length=80, required=False,
                initial=row["teacher_name"] if row else "",
            )
            for j, code in enumerate(self.codes):
                self.fields[f"c{i}_g{j}"] = forms.IntegerField(
                    label=f"Class {i + 1} grade {code}", min_value=0, max_value=999, required=False,
                    initial=(row["counts"][j] if row else None),
                    widget=forms.NumberInput(attrs={"size": 3, "class": "count", "data-row": i, "data-grade": j,
                                                    "min": 0}),
                )

    def rows(self):
        """Bound fields per row, for the template: (name, teacher, [grade fields])."""
        return [
            (self[f"c{i}_name"], self[f"c{i}_teacher"], [self[f"c{i}_g{j}"] for j in range(len(self.codes))])
            for i in range(self.row_count)
        ]

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
