"""Loopback ports for the servers tests start (SMTP, Dovecot, uvicorn, the scaled stack).

The suite runs in two pytest-xdist workers (`make test`), and other programs on the machine
take ports too. A port picked by binding port 0 lies in Linux's ephemeral range (from
32768), where every other bind(0) and every outgoing connection takes its port: between the
pick and the server's own bind another worker, or a connection, may take it. So each worker
takes its ports from a block of its own below that range (gw0 20000-21499, gw1 21500-22999,
...; a run without xdist the first block), one after the other from a random place (none
again before the block's 1,500 are handed out): two workers never pick the same port, nor
does an outgoing connection or a bind(0) elsewhere.
"""

from __future__ import annotations

import itertools
import os
import random
import socket

BASE, BLOCK, BLOCKS = 20000, 1500, 8  # 20000-31999, below the ephemeral range

_turn = itertools.count(random.SystemRandom().randrange(BLOCK))


def worker_index() -> int:
    """0 for xdist's gw0 (and for a run without xdist), 1 for gw1, ..."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's block."""
    start = BASE + worker_index() % BLOCKS * BLOCK
    for _ in range(BLOCK):
        port = start + next(_turn) % BLOCK
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use, or still in TIME_WAIT: the next one
                continue
            return port
    raise RuntimeError(f"no free port in {start}-{start + BLOCK - 1}")
