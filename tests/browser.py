"""Helpers for the browser (Playwright) tests."""

from tests.factories import PASSWORD


def log_in(page, login_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form (the site's or the admin's) at login_url."""
    page.goto(login_url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[type=submit]")
