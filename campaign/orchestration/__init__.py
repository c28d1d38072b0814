"""Campaign orchestration: the durable schedule, the idempotent ledger and the tick.

A campaign is durable data and the tick is a reconciler: each tick (for an `as_of`
time) carries out every stored event that has fallen due and is not done yet, keying
each side effect in the action ledger before it happens. Nothing here imports Prefect;
the flows in `flows/` compose these functions.
"""
