"""tests/support/ports.py: each xdist worker's ports come from a block of its own."""

from __future__ import annotations

import socket

import pytest

from tests.support.ports import free_port


def test_each_worker_takes_free_ports_from_its_own_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50 and all(21500 <= p < 23000 for p in ports)
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[-1]))  # nothing listened on it: the server can bind it
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert 20000 <= free_port() < 21500
