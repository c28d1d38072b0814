"""Tracked tasks (任务台账, 督查督办): a task of the plan with a key, units, a deadline or
a progress schedule and a deliverable.

Its progress is a duty of the plan (`duties`: kind 'task', keyed by the task), so the one
event pipeline requests, reminds and escalates it; its state (未启动/推进中/已完成/逾期)
is a pure function of its units' requests and reports (`ledger`), stored by the tick in
the task table (`store`) and shown by `campaign status` and the summaries.
"""
