"""Prefect deployments: one scheduled tick deployment per campaign, one launch deployment,
and the outbox's scheduled delivery."""
