"""URLs of a school's site (its own schema)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from schools.plans.urls import legacy_urlpatterns as old_plan_addresses
from reports.home import home
from tenants.sites import school_admin_site
from tenants.views import favicon, handoff, password_urls

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    *password_urls(),  # before the admin: its log-in links to "admin_password_reset"
    *old_plan_addresses,  # the plans' old admin addresses redirect to the planning pages
    path("admin/", school_admin_site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/handoff/", handoff, name="handoff"),
    # one year-comparison page (the portal's); the old address keeps working
    path("plans/compare/", RedirectView.as_view(pattern_name="portal:comparison", permanent=True)),
    path("portal/", include("reports.urls")),
    path("plans/", include("schools.plans.urls")),
]
