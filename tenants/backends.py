"""Log in with an email address as well as a user name (invited people's user name is their
address; older accounts have a separate one)."""

from django.contrib.auth.backends import ModelBackend

from tenants.models import User


class EmailLoginBackend(ModelBackend):
    """After Django's own backend: a log-in that names no user name, but exactly one active
    person's email address, is checked against that person's password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or "@" not in username or password is None:
            return None
        matches = list(User.objects.filter(email__iexact=username.strip(), is_active=True)[:2])
        if len(matches) != 1:
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
