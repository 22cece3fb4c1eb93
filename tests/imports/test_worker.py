"""An import on a real Celery worker (a thread of this process, consuming the default queue): the
task learns its school from the message, the page shows the job's progress through its htmx
fragment until the job ends, and a confirm runs the write job once. Transactional: its own school."""

import pytest
from django.test import Client

from tests import factories
from tests.imports.helpers import SCHOOL_IMPORT, csv_text, enrolments, job_id_of, upload
from tests.workers import thread_worker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def default_queue_worker(transactional_db, celery_broker):
    with thread_worker("celery") as worker:
        yield worker


def test_an_import_runs_its_check_and_write_jobs_on_a_worker(default_queue_worker):
    school = factories.fresh_school("imp", "Hillview")
    factories.grades_create(school)
    factories.year_create(school, year=2027, students={"K": 30, "1": 25})
    staff = Client(HTTP_HOST=school.domains.get(is_primary=True).domain)
    staff.force_login(factories.member_create(school, "staff"))
    text = csv_text([["year", "grade", "students"], [2027, "Kindergarten", 41], [2027, "Grade 8", 3]])

    def ended():
        response = staff.get(f"{SCHOOL_IMPORT}{job_id}/progress/")
        assert response.status_code == 200
        return response.get("HX-Refresh") == "true"

    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, text))
    wait_for(ended, timeout=30, every=0.2)
    refused = staff.get(f"{SCHOOL_IMPORT}{job_id}/")
    assert "Row 3: &#x27;Grade 8&#x27; is not a grade of Hillview; its grades are K, 1-6." in refused.text

    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, text.replace("Grade 8", "Grade 1")))
    wait_for(ended, timeout=30, every=0.2)
    assert "Preview: nothing is saved until you confirm" in staff.get(f"{SCHOOL_IMPORT}{job_id}/").text
    assert staff.post(f"{SCHOOL_IMPORT}{job_id}/confirm/").status_code == 302
    wait_for(ended, timeout=30, every=0.2)
    assert "What was written" in staff.get(f"{SCHOOL_IMPORT}{job_id}/").text
    assert enrolments(school) == {"K": (41, 15, 22), "1": (3, 15, 24)}
