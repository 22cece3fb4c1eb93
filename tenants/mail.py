"""One way to write a mail: a subject and a plain-text body from templates, naming the district
and the school, with every time in the district's time zone (the job activates it)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.selectors import district_settings


def mail_send(*, to: str, template: str, context: dict) -> None:
    """Render templates/<template>_subject.txt and <template>.txt and send them to `to`."""
    district = district_settings()
    context = {"district_name": district.name, "time_zone": timezone.get_current_timezone_name(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
