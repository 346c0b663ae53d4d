"""Fixtures for the e-learning tests."""

from tests.elearning.server import stoppable_server  # noqa: F401 - a fixture
