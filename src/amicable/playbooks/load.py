"""Reading playbooks from YAML, strictly: every error names the file, the line and the field.

PyYAML's node tree keeps where each value was written, so the checks below walk nodes rather than
the plain dicts `yaml.safe_load` would give.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib.resources import files
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import (
    CHANNELS,
    CUSTOMER_KINDS,
    EVENTS,
    EVENTS_WITH_DAYS,
    PURPOSES,
    SCHEDULE_TYPES,
    STOP_CONDITIONS,
    Playbook,
    Range,
    Segment,
    Step,
    Variant,
)


class PlaybookError(ValueError):
    def __init__(
        self, source: str, node: Node | None, field: str, message: str, line: int | None = None
    ) -> None:
        if line is None:
            line = node.start_mark.line + 1 if node is not None else 1
        super().__init__(f"{source}, line {line}, {field}: {message}")
        self.source, self.line, self.field = source, line, field


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node | None, field: str, message: str):
        raise PlaybookError(self.source, node, field, message)

    def mapping(self, node: Node, field: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.fail(node, field or "playbook", "expected a mapping of names to values")
        result = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            where = f"{field}.{name}" if field else str(name)
            if name not in allowed:
                self.fail(key, where, f"unknown field; expected one of {', '.join(allowed)}")
            if name in result:
                self.fail(key, where, "given twice")
            result[name] = value
        return result

    def text(self, node: Node, field: str, choices: tuple[str, ...] | None = None) -> str:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
            self.fail(node, field, "expected text")
        if choices is not None and node.value not in choices:
            self.fail(node, field, f"{node.value!r} is not one of {', '.join(choices)}")
        return node.value

    def integer(self, node: Node, field: str) -> int:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.fail(node, field, f"{getattr(node, 'value', node)!r} is not a whole number")
        # YAML's own reading of the integer forms it allows (0x10, 1_000, 1:30).
        value = yaml.safe_load(node.value)
        if not isinstance(value, int):
            self.fail(node, field, f"{node.value!r} is not a whole number")
        return value

    def amount(self, node: Node, field: str) -> Decimal:
        try:
            if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:bool":
                raise InvalidOperation
            value = Decimal(node.value)
        except InvalidOperation:
            self.fail(node, field, f"{getattr(node, 'value', node)!r} is not an amount")
        if not value.is_finite():
            self.fail(node, field, f"{node.value!r} is not an amount")
        return value

    def texts(self, node: Node, field: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return (self.text(node, field, choices),)
        if not isinstance(node, SequenceNode) or not node.value:
            self.fail(node, field, "expected a list with at least one entry")
        return tuple(self.text(item, f"{field}[{i}]", choices) for i, item in enumerate(node.value))

    def range(self, node: Node, field: str, number) -> Range:
        parts = self.mapping(node, field, ("min", "max"))
        low = number(parts["min"], f"{field}.min") if "min" in parts else None
        high = number(parts["max"], f"{field}.max") if "max" in parts else None
        if low is not None and high is not None and low > high:
            self.fail(node, field, f"min {low} is above max {high}")
        return Range(low, high)


def _segment(read: _Reader, node: Node | None) -> Segment:
    if node is None:
        return Segment()
    fields = (
        "creditors",
        "jurisdictions",
        "customer_kinds",
        "balance",
        "days_past_due",
        "schedule_types",
        "languages",
    )
    raw = read.mapping(node, "segment", fields)
    get = raw.get
    return Segment(
        creditors=read.texts(raw["creditors"], "segment.creditors") if "creditors" in raw else (),
        jurisdictions=tuple(j.upper() for j in read.texts(raw["jurisdictions"], "segment.jurisdictions"))
        if "jurisdictions" in raw
        else (),
        customer_kinds=read.texts(raw["customer_kinds"], "segment.customer_kinds", CUSTOMER_KINDS)
        if "customer_kinds" in raw
        else (),
        balance=read.range(get("balance"), "segment.balance", read.amount) if "balance" in raw else Range(),
        days_past_due=read.range(get("days_past_due"), "segment.days_past_due", read.integer)
        if "days_past_due" in raw
        else Range(),
        schedule_types=read.texts(raw["schedule_types"], "segment.schedule_types", SCHEDULE_TYPES)
        if "schedule_types" in raw
        else (),
        languages=read.texts(raw["languages"], "segment.languages") if "languages" in raw else (),
    )


STEP_FIELDS = ("id", "day", "event", "in_days", "channels", "template", "variants", "stop_if", "purpose")


def _step(read: _Reader, node: Node, field: str) -> Step:
    raw = read.mapping(node, field, STEP_FIELDS)
    for required in ("id", "channels", "template"):
        if required not in raw:
            read.fail(node, f"{field}.{required}", "required")
    if ("day" in raw) == ("event" in raw):
        read.fail(node, field, "give either day (relative to each due date) or event, not both or neither")
    event = read.text(raw["event"], f"{field}.event", EVENTS) if "event" in raw else None
    in_days = read.integer(raw["in_days"], f"{field}.in_days") if "in_days" in raw else None
    if in_days is not None and event not in EVENTS_WITH_DAYS:
        read.fail(raw["in_days"], f"{field}.in_days", f"only with the events {', '.join(EVENTS_WITH_DAYS)}")
    if event in EVENTS_WITH_DAYS and in_days is None:
        read.fail(raw["event"], f"{field}.in_days", f"{event} needs in_days (0 for the day itself)")
    if in_days is not None and in_days < 0:
        read.fail(raw["in_days"], f"{field}.in_days", "must be 0 or more")
    variants = ()
    if "variants" in raw:
        vnode = raw["variants"]
        if not isinstance(vnode, MappingNode) or not vnode.value:
            read.fail(vnode, f"{field}.variants", "expected names with weights, e.g. {warm: 50, brief: 50}")
        variants = tuple(
            Variant(read.text(k, f"{field}.variants"), read.integer(v, f"{field}.variants.{k.value}"))
            for k, v in vnode.value
        )
        seen_names: set[str] = set()
        for (k, _), variant in zip(vnode.value, variants, strict=True):
            if variant.name in seen_names:
                read.fail(k, f"{field}.variants.{variant.name}", "given twice")
            seen_names.add(variant.name)
            if variant.weight <= 0:
                read.fail(k, f"{field}.variants.{variant.name}", "a weight must be 1 or more")
    channels = read.texts(raw["channels"], f"{field}.channels", CHANNELS)
    if len(set(channels)) != len(channels):
        read.fail(raw["channels"], f"{field}.channels", "a channel is listed twice")
    return Step(
        id=read.text(raw["id"], f"{field}.id"),
        channels=channels,
        template=read.text(raw["template"], f"{field}.template"),
        day=read.integer(raw["day"], f"{field}.day") if "day" in raw else None,
        event=event,
        in_days=in_days,
        variants=variants,
        stop_if=read.texts(raw["stop_if"], f"{field}.stop_if", STOP_CONDITIONS) if "stop_if" in raw else (),
        purpose=read.text(raw["purpose"], f"{field}.purpose", PURPOSES) if "purpose" in raw else "collection",
    )


def parse_playbook(text: str, source: str) -> Playbook:
    """A Playbook from YAML text; PlaybookError names `source`, the line and the field."""
    read = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else 1
        raise PlaybookError(source, None, "yaml", str(error.problem), line=line) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1
        raise PlaybookError(
            source, None, "yaml", f"character {error.character!r} is not allowed", line=line
        ) from None
    if root is None:
        read.fail(None, "playbook", "the file is empty")
    raw = read.mapping(root, "", ("playbook", "title", "description", "segment", "steps"))
    for required in ("playbook", "steps"):
        if required not in raw:
            read.fail(root, required, "required")
    steps_node = raw["steps"]
    if not isinstance(steps_node, SequenceNode) or not steps_node.value:
        read.fail(steps_node, "steps", "expected a list with at least one step")
    steps = tuple(_step(read, node, f"steps[{i}]") for i, node in enumerate(steps_node.value))
    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step.id in seen:
            read.fail(steps_node.value[i], f"steps[{i}].id", f"{step.id!r} is also steps[{seen[step.id]}]")
        seen[step.id] = i
    name = read.text(raw["playbook"], "playbook")
    return Playbook(
        name=name,
        title=read.text(raw["title"], "title") if "title" in raw else name,
        description=read.text(raw["description"], "description") if "description" in raw else "",
        segment=_segment(read, raw.get("segment")),
        steps=steps,
        source=source,
    )


def load_playbook(path: Path) -> Playbook:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PlaybookError(str(path), None, "encoding", f"not UTF-8 text (byte {error.start})") from None
    return parse_playbook(text, str(path))


def default_playbooks() -> dict[str, Playbook]:
    """The playbooks amicable ships (docs/playbooks.md), by name."""
    folder = files("amicable.playbooks").joinpath("defaults")
    books = [
        parse_playbook(entry.read_text(encoding="utf-8"), f"defaults/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    return {book.name: book for book in books}
