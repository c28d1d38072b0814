"""Read plan YAML within bounds: file size, nesting depth, and values after aliases expand.

A plan may share a block with an anchor and aliases (a reminder policy used by several
duties); it may not make a few hundred bytes expand into millions of values (an "alias
bomb"), refer to itself, or nest deeper than any plan needs. Everything here runs while
the YAML is composed, in time and memory proportional to the file, and a refusal names
the place in the file.

Dates that look like dates but do not exist (2007-02-30) stay text, so the schema reports
them with their field path instead of the YAML library raising mid-parse.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any, NoReturn

import yaml

MAX_PLAN_BYTES = 1024 * 1024
MAX_DEPTH = 50
MAX_VALUES = 50_000

PathPart = str | int


class PlanYAMLLimit(yaml.YAMLError):
    """The YAML is well-formed but beyond a bound; .path and .line say where."""

    def __init__(self, message: str, path: tuple[PathPart, ...], line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line


def too_big(size: int) -> str | None:
    """The message for a plan of `size` bytes, or None if it is within the limit."""
    if size <= MAX_PLAN_BYTES:
        return None
    return f"计划文件超过 1 MB（{MAX_PLAN_BYTES} 字节）的大小上限；请删去多余内容后再提交"


def read_limited(path: FilePath) -> bytes:
    """The file's bytes, at most one past the size limit (OSError if it cannot be read)."""
    with path.open("rb") as f:
        return f.read(MAX_PLAN_BYTES + 1)


class ComposedPlan:
    """One YAML document composed within the bounds; construct() turns it into data."""

    def __init__(self, text: str) -> None:
        self._loader = _PlanLoader(text)
        try:
            self.node: yaml.Node | None = self._loader.get_single_node()
        finally:
            self._loader.dispose()

    def construct(self) -> Any:
        """The document's data (merge keys flatten the node, so inspect it before)."""
        return self._loader.construct_document(self.node) if self.node is not None else None


class _PlanLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[PathPart] = []
        self._open_anchors: set[str] = set()
        self._anchor_sizes: dict[str, int] = {}
        self._values = 0  # values composed so far, aliases counted as what they expand to

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if isinstance(index, yaml.ScalarNode):
            self._path.append(index.value)
        elif isinstance(index, int):
            self._path.append(index)
        try:
            return self._compose(parent, index)
        finally:
            if isinstance(index, yaml.ScalarNode | int):
                self._path.pop()

    def _compose(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        is_key = isinstance(parent, yaml.MappingNode) and index is None
        if is_key and not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            self._refuse("键须为一段文字，不能是列表或映射", line)
        if isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            if anchor in self._open_anchors:
                self._refuse(f"别名 *{anchor} 引用了包含它自身的锚点 &{anchor}（循环引用）", line)
            node = super().compose_node(parent, index)
            if is_key and not isinstance(node, yaml.ScalarNode):
                self._refuse(f"键须为一段文字，别名 *{anchor} 却是列表或映射", line)
            self._values += self._anchor_sizes.get(anchor, 1)
            if self._values > MAX_VALUES:
                self._refuse(
                    f"别名 *{anchor} 展开后，计划的值超过 {MAX_VALUES} 个（上限）；"
                    "锚点和别名只宜用于少量共用内容，如提醒规则",
                    line,
                )
            return node
        if len(self._path) > MAX_DEPTH:
            # Where the nesting starts: the whole path would fill the screen.
            raise PlanYAMLLimit(
                f"嵌套超过 {MAX_DEPTH} 层（上限），计划不需要这么深的结构",
                tuple(self._path[:3]),
                line,
            )
        defines: str | None = getattr(event, "anchor", None)
        before = self._values
        self._values += 1
        if self._values > MAX_VALUES:
            self._refuse(f"计划的值超过 {MAX_VALUES} 个（上限）", line)
        if defines is not None:
            self._open_anchors.add(defines)
        node = super().compose_node(parent, index)
        if defines is not None:
            self._open_anchors.discard(defines)
            self._anchor_sizes[defines] = self._values - before
        return node

    def _refuse(self, message: str, line: int | None) -> NoReturn:
        raise PlanYAMLLimit(message, tuple(self._path), line)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, TypeError, OverflowError):  # e.g. !!bool maybe
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise PlanYAMLLimit(
                f"值 {node.value!r} 不符合其类型标记 {tag}",
                (),
                node.start_mark.line + 1,
            ) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2007-02-30, 2007-13-01: left to the schema, which names the field
            return self.construct_scalar(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_float(node)
        except ValueError:  # !!float abc: the schema refuses the text where a number belongs
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts: the schema refuses the text
            return self.construct_scalar(node)


_PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", _PlanLoader.construct_yaml_timestamp)
_PlanLoader.add_constructor("tag:yaml.org,2002:int", _PlanLoader.construct_yaml_int)
_PlanLoader.add_constructor("tag:yaml.org,2002:float", _PlanLoader.construct_yaml_float)
