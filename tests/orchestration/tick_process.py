"""A tick in a process of its own, for the durability tests (not a test module).

    python tick_process.py CAMPAIGN_ID AS_OF [--kill-after N | --kill-in SEAM] [--wait-for FILE]

--kill-after N: SIGKILL this process inside the N-th side effect, after the effect has
written to its transaction and before that transaction commits.
--kill-in SEAM: likewise, inside the first call of that seam (e.g. queue_escalation).
--wait-for FILE: start the tick only once FILE exists (to start two ticks at once).
--effect-delay SECONDS: linger in each side effect, so that concurrent ticks overlap.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from datetime import datetime
from pathlib import Path

from campaign.orchestration import effects
from campaign.orchestration.tick import run_tick

SEAMS = (
    "queue_directive",
    "queue_request",
    "queue_reminder",
    "queue_escalation",
    "record_compiled",
)


def instrument(*, kill_after: int, kill_in: str, delay: float) -> None:
    calls = 0

    def wrap(name, seam):  # type: ignore[no-untyped-def]
        def counted(**kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            seam(**kwargs)
            time.sleep(delay)
            calls += 1
            if calls == kill_after or name == kill_in:
                kwargs["session"].flush()  # the effect is written, not committed
                os.kill(os.getpid(), signal.SIGKILL)

        return counted

    for name in SEAMS:
        setattr(effects, name, wrap(name, getattr(effects, name)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("campaign_id", type=int)
    parser.add_argument("as_of")
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--kill-in", default="")
    parser.add_argument("--wait-for", type=Path)
    parser.add_argument("--effect-delay", type=float, default=0.0)
    args = parser.parse_args()
    instrument(kill_after=args.kill_after, kill_in=args.kill_in, delay=args.effect_delay)
    if args.wait_for is not None:
        while not args.wait_for.exists():
            time.sleep(0.01)
    report = run_tick(campaign_id=args.campaign_id, as_of=datetime.fromisoformat(args.as_of))
    print(json.dumps({"done": sum(len(e["done"]) for e in report.events)}))


if __name__ == "__main__":
    main()
