"""Where a forwarding unit forwards: its console page (behind its own login)."""

from __future__ import annotations

from campaign.settings import get_settings


def forward_page_url(campaign_id: int, window: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/admin/campaigns/{campaign_id}/forward/{window}"
