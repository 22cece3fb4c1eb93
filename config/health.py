"""`/healthz`: is this installation able to work? For load balancers, supervisors and people.

Answers on every host (the district office's, every school's, and a load balancer's bare
address), before any other middleware: no login, no tenant, no HTTPS redirect. It is the only
address that answers without a login, and it tells nothing but whether each part works:

    {"status": "ok" | "unhealthy", "checks": {"database": {...}, "broker": {...}, "workers": {...}}}

200 when every check passes, 503 otherwise. `workers` fails when no Celery worker consuming a
queue (solver, reports, celery) has written its heartbeat within JOB_DEAD_AFTER_S.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

PATH = "/healthz"
QUEUES = ("solver", "reports", "celery")


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis"):
        import redis

        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    else:
        from config.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True}


def _workers() -> dict:
    from tenants.jobs import workers_seen

    seen = workers_seen()
    covered = {q for w in seen for q in w.queues.split(",") if q}
    missing = [q for q in QUEUES if q not in covered]
    return {"ok": not missing, "seen": len(seen), "queues_without_a_worker": missing}


def healthz(request):
    checks = {}
    for name, check in (("database", _database), ("broker", _broker), ("workers", _workers)):
        try:
            checks[name] = check()
        except Exception as error:  # each check says what failed, never a traceback
            checks[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
            if name == "database":
                connection.close()
    ok = all(c["ok"] for c in checks.values())
    response = JsonResponse({"status": "ok" if ok else "unhealthy", "checks": checks}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Serves PATH before every other middleware (tenant lookup, host check, HTTPS, login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
