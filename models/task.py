"""The task ledger (任务台账): each tracked task's state in a campaign, as the tick last saw it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import enum_column, json_column, timestamp


class TaskState(StrEnum):
    not_started = "not_started"  # 未启动: no unit has reported on it
    in_progress = "in_progress"  # 推进中: reported on, deliverable not yet met
    done = "done"  # 已完成: every reporting unit's latest report meets the deliverable
    overdue = "overdue"  # 逾期: past its deadline and not done


class TrackedTask(SQLModel, table=True):
    __tablename__ = "tracked_task"
    __table_args__ = (UniqueConstraint("campaign_id", "task_key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    task_key: str = Field(max_length=64)
    state: TaskState = enum_column(TaskState, default=TaskState.not_started)
    deadline: date | None = None
    units_done: int = 0
    units_total: int = 0
    changed_at: datetime = timestamp()
    units: dict[str, Any] = json_column(description="Unit code → its state on the task.")
