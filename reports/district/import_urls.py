"""The district's enrolment import pages, included under /district/ (names in the `district` namespace)."""

from django.urls import path

from reports.district import import_views as views

urlpatterns = [
    path("imports/", views.imports_page, name="imports"),
    path("imports/template.<str:extension>", views.template_download, name="imports_template"),
    path("imports/export.<str:extension>", views.export_download, name="imports_export"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
