"""Prefect deployments: one scheduled tick deployment per campaign, one launch deployment."""
