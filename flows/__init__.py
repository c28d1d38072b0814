"""Prefect flows: thin orchestration over the plain functions of `campaign.orchestration`."""
