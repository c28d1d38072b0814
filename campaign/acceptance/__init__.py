"""Acceptance (检查验收): inspections, 整改 orders chased until closed, the acceptance report."""
