"""Print how long report rendering takes for every school's adopted plans (nothing is stored)."""

import statistics
import time

from django.core.management.base import BaseCommand

from reports import rendering
from reports.models import Report
from schools.plans.models import AllocationPlan
from tenants.context import tenant_context
from tenants.selectors import school_list


class Command(BaseCommand):
    help = "Time the plan PDF, plan CSV and year-comparison PDF of each school (renders in memory only)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, repeat, **options):
        timings = {kind: [] for kind in Report.Kind.values}
        sizes = {kind: [] for kind in Report.Kind.values}
        for school in school_list():
            with tenant_context(school):
                jobs = [(Report(plan=plan, year=plan.year, kind=kind), kind)
                        for plan in AllocationPlan.objects.filter(adopted=True).select_related("year")
                        for kind in Report.PLAN_KINDS]
                jobs.append((Report(kind=Report.Kind.COMPARISON_PDF), Report.Kind.COMPARISON_PDF))
                for report, kind in jobs:
                    render = {"plan_pdf": rendering.plan_pdf, "plan_csv": rendering.plan_csv,
                              "comparison_pdf": rendering.comparison_pdf}[kind]
                    for _ in range(repeat):
                        started = time.perf_counter()
                        data = render(report)
                        timings[kind].append(time.perf_counter() - started)
                    sizes[kind].append(len(data))
        for kind, values in timings.items():
            if not values:
                continue
            self.stdout.write(
                f"{kind:<15} n={len(values):<3} median {statistics.median(values) * 1000:7.0f} ms"
                f"  max {max(values) * 1000:7.0f} ms  size median {statistics.median(sizes[kind]) / 1024:6.1f} KiB"
            )
