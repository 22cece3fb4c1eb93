"""The school year's admin page leads to that year's plans."""

import pytest
from django_tenants.utils import schema_context

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_year_page_links_to_its_plans(school_a, client_for):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, year=2041, teachers=3, students={"K": 40, "1": 20})
    staff = factories.member_create(school_a, "staff")
    client = client_for(school_a, staff)
    with schema_context(school_a.schema_name):
        page = client.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    assert page.status_code == 200
    link = "/plans/2041/"
    assert link in page.text and "Plan 2041" in page.text
    assert client.get(link).status_code == 200
