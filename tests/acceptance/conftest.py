"""The orchestration fixtures (a launched Hubei campaign), for the acceptance tests."""

from tests.orchestration.conftest import cities, hubei_campaign, launch  # noqa: F401
