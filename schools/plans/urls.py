from django.urls import path

from schools.plans import views

app_name = "plans"
urlpatterns = [
    path("compare/", views.year_comparison, name="compare"),
]
