"""Forwarding (转发): a unit forwards the province's directive to the units below it as its
own 通知 (its 发文字号, its added requirements, the directive attached), its units 签收 it,
and a unit that has not forwarded by the plan's deadline is chased like a late report.

keys: how the forwarding's requests and events are keyed; reach: who forwards to whom;
notice: the unit's 通知 as an official document; record: storing a forwarding and
everything it sets going (mail, 签收 requests, their chasing); status: who has forwarded.
"""
