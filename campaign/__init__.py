"""Campaign orchestration for bureaus' work plans (工作方案: 专项整治, 活动方案, 任务分解…)."""
