"""Fixtures of the replies tests: a campaign with bureaus, requests and links."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from replies.factories import World, build_world


@pytest.fixture
def world(session: Session) -> World:
    """The replies world on both databases (SQLite and PostgreSQL)."""
    return build_world(session)


@pytest.fixture
def lite_world(lite_session: Session) -> World:
    """The replies world on SQLite only, for tests whose subject is not the database."""
    return build_world(lite_session)
