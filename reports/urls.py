"""The principal's portal on a school's site (mounted at /portal/)."""

from django.urls import path

from reports import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("plans/<int:plan_id>/reports/", views.plan_reports, name="plan_reports"),
    path("comparison/", views.comparison, name="comparison"),
    path("comparison/pdf/", views.comparison_pdf, name="comparison_pdf"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
    path("files/<path:key>", views.file_download, name="file"),
]
