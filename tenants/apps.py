from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "District"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from tenants.services import person_logout  # models are importable only once apps are ready

        def logged_out(sender, request, user, **kwargs):
            if user is not None:
                person_logout(user=user)  # logging out anywhere ends the person's sessions everywhere

        user_logged_out.connect(logged_out, dispatch_uid="tenants.person_logout", weak=False)
