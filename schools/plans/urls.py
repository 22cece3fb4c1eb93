"""The planning pages of a school's site (mounted at /plans/), and the old admin addresses of
plans, kept working by redirect for bookmarks (`legacy_urlpatterns`, mounted before /admin/)."""

from django.urls import path, re_path

from schools.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/progress/", views.job_status, name="status"),
    path("<int:year>/generate/", views.generate, name="generate"),
    path("<int:year>/priorities/", views.priorities, name="priorities"),
    path("<int:year>/rule-pack/", views.rule_pack, name="rule_pack"),
    path("<int:year>/lock/", views.lock, name="lock"),
    path("<int:year>/unlock/<int:lock_id>/", views.unlock, name="unlock"),
    path("<int:year>/plan/<int:plan_id>/", views.plan_page, name="plan"),
    path("<int:year>/plan/<int:plan_id>/adopt/", views.adopt, name="adopt"),
    path("<int:year>/plan/<int:plan_id>/edit/", views.edit, name="edit"),
    path("<int:year>/plan/<int:plan_id>/edit/check/", views.edit_check, name="edit_check"),
    path("<int:year>/plan/<int:plan_id>/undo/", views.undo, name="undo"),
    path("<int:year>/what-if/", views.what_if, name="what_if"),
    path("<int:year>/what-if/<int:teachers>/", views.what_if_row, name="what_if_row"),
    path("<int:year>/teachers/", views.teachers, name="teachers"),
    path("<int:year>/final/", views.finalise, name="finalise"),
    path("<int:year>/reopen/", views.reopen, name="reopen"),
]

legacy_urlpatterns = [
    path("admin/plans/", views.old_list),
    re_path(r"^admin/plans/(?P<rest>planningyear|allocationplan|planjob)/$", views.old_list),
    re_path(r"^admin/plans/planningyear/(?P<pk>\d+)/(?P<rest>[a-z-]*)/?$", views.old_year),
    re_path(r"^admin/plans/allocationplan/(?P<pk>\d+)/(?P<rest>change|edit)/$", views.old_plan),
    re_path(r"^admin/plans/planjob/(?P<rest>.*)$", views.old_list),
]
