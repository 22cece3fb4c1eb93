"""Issue 10, item 9: ten copy-forwards to the same year at once: one wins, the others get a message."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import schema_context

from schools.models import SchoolYear
from schools.services import year_copy_forward
from tests import factories

pytestmark = pytest.mark.worker  # threads with their own connections: a transactional database


def test_ten_parallel_copy_forwards_make_one_year():
    school = factories.fresh_school("race")
    factories.grades_create(school)
    source = factories.year_create(school, students={"K": 20, "1": 21})
    staff = factories.member_create(school, "staff")
    barrier, outcomes = threading.Barrier(10), []

    def copy():
        try:
            barrier.wait()
            with schema_context(school.schema_name):
                year_copy_forward(source=source, year=2030, roll_up=True, actor=staff)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.message_dict)
        except Exception as error:  # anything else is the bug
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("created") == 1, outcomes
    assert [o for o in outcomes if o != "created"] == [
        {"year": ["The year 2030 already exists; it was not changed."]}] * 9
    with schema_context(school.schema_name):
        assert SchoolYear.objects.filter(year=2030).count() == 1
