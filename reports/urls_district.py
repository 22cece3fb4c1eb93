app_name = "district"
urlpatterns = []
