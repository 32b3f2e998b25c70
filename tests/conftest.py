"""Settings shared by the property tests (hypothesis).

Derandomized and without an example database, so every run, here and in CI, tries the same
inputs and a failure is reproducible; no deadline, because specs go through the real CLI
machinery and a loaded machine must not turn slowness into a failure.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "wsgen",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
settings.load_profile("wsgen")
