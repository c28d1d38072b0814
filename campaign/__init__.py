"""Campaign orchestration for special rectification campaigns (专项整治)."""
