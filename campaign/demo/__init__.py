"""The demo campaign: the Hubei plan run end to end with simulated bureaus."""
