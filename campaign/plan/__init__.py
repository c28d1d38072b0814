"""Campaign plans: schema, loading with line-accurate problems, cross-checks."""

from campaign.plan.checks import Problem
from campaign.plan.load import PlanError, load_plan, load_plan_text, parse_plan
from campaign.plan.schema import Plan

__all__ = ["Plan", "PlanError", "Problem", "load_plan", "load_plan_text", "parse_plan"]
