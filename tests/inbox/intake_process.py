"""`campaign inbox fetch` in a process of its own, for the durability tests (not a test).

    python intake_process.py [--batch N] [--kill-in N] [--kill-before-move N] [--wait-for FILE]

--batch N: messages per transaction (campaign.inbox.fetch.BATCH).
--kill-in N: SIGKILL inside the N-th message's intake, after its effects (submission,
receipt, inbox row) are written to the transaction and before the batch commits.
--kill-before-move N: SIGKILL after the N-th batch is committed, before it is moved.
--wait-for FILE: start only once FILE exists (to start two intakes at once).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from pathlib import Path

from campaign.inbox import batch, fetch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--kill-in", type=int, default=0)
    parser.add_argument("--kill-before-move", type=int, default=0)
    parser.add_argument("--wait-for", default="")
    args = parser.parse_args()
    calls = moves = 0
    take_in, move = batch.take_in_claimed, fetch._move

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        take_in(**kwargs)
        calls += 1
        if calls == args.kill_in:
            kwargs["session"].flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def moving(box, outcomes, report):  # type: ignore[no-untyped-def]
        nonlocal moves
        if outcomes and report.read:  # a batch just taken in (not the moves of an earlier run)
            moves += 1
            if moves == args.kill_before_move:
                os.kill(os.getpid(), signal.SIGKILL)
        move(box, outcomes, report)

    if args.batch:
        fetch.BATCH = args.batch
    batch.take_in_claimed = counted  # type: ignore[assignment]
    fetch._move = moving  # type: ignore[assignment]
    if args.wait_for:
        while not Path(args.wait_for).exists():
            time.sleep(0.01)
    print(json.dumps(fetch.fetch_inbox().to_json()))


if __name__ == "__main__":
    main()
