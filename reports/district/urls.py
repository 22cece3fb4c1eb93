"""The district office's report pages (public site, mounted at /district/)."""

from django.urls import include, path

from reports.district import views

app_name = "district"
urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/zip/", views.bundle_create, name="bundle_create"),
    path("reports/zip/<int:pk>/", views.bundle_detail, name="bundle"),
    path("reports/zip/<int:pk>/download/", views.bundle_download, name="bundle_download"),
    path("reports/<slug:code>/<int:pk>/download/", views.school_report_download, name="school_download"),
    path("", include("reports.district.import_urls")),
]
