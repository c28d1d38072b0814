"""`campaign inbox fetch` in a process of its own, for the durability tests (not a test).

    python intake_process.py [--kill-in N] [--kill-before-move] [--wait-for FILE]

--kill-in N: SIGKILL inside the N-th message's intake, after its effects (submission,
receipt, inbox row) are written to the transaction and before it commits.
--kill-before-move: SIGKILL after the messages are committed, before any is moved.
--wait-for FILE: start only once FILE exists (to start two intakes at once).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from pathlib import Path

from campaign.inbox import fetch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-in", type=int, default=0)
    parser.add_argument("--kill-before-move", action="store_true")
    parser.add_argument("--wait-for", default="")
    args = parser.parse_args()
    calls = 0
    take_in, move = fetch.take_in, fetch._move

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        record = take_in(**kwargs)
        calls += 1
        if calls == args.kill_in:
            kwargs["session"].flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return record

    def moving(box, outcomes, report):  # type: ignore[no-untyped-def]
        if args.kill_before_move and outcomes:
            os.kill(os.getpid(), signal.SIGKILL)
        move(box, outcomes, report)

    fetch.take_in = counted  # type: ignore[assignment]
    fetch._move = moving  # type: ignore[assignment]
    if args.wait_for:
        while not Path(args.wait_for).exists():
            time.sleep(0.01)
    print(json.dumps(fetch.fetch_inbox().to_json()))


if __name__ == "__main__":
    main()
