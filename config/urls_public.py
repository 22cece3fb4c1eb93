"""URLs of the district office's site (the public schema)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports.home import home
from tenants.sites import district_admin_site
from tenants.views import favicon, password_urls, school_switch

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    *password_urls(),  # before the admin: its log-in links to "admin_password_reset"
    path("admin/", district_admin_site.urls),
    path("schools/<slug:code>/open/", school_switch, name="school_switch"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("district/", include("reports.district.urls")),
]
