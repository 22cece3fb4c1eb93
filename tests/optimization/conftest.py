"""The optimizer's tests need no Django: this folder is its own test root (pytest.ini).

Hypothesis runs derandomized and keeps no example database, so a run writes nothing
into the repository and gives the same examples on every machine."""

from hypothesis import HealthCheck, settings

settings.register_profile("optimization", database=None, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("optimization")
