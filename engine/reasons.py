"""Short, deterministic text for verdict reasons: values rendered JSON-like, lists cut."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from engine.values import Unknown

MAX_ITEMS = 5  # list elements or mapping entries shown before "…"
MAX_TEXT = 80  # characters of a string shown before "…"
MAX_REASONS = 3  # sub-reasons joined into one reason
MAX_REASON_TEXT = 400  # characters of a joined reason; nested any/all stay readable


def render(value: Any) -> str:
    """``true``, ``5``, ``"AES256"``, ``["a", "b", … +3 more]`` — same value, same text."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
        if text.isprintable() and '"' not in text and "\\" not in text:
            return '"' + text + '"'  # what json.dumps gives, without its cost
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Unknown):
        return f"<unknown: {value.reason}>"
    if isinstance(value, Mapping):
        items = list(value.items())
        shown = ", ".join(f"{render(str(k))}: {render(v)}" for k, v in items[:MAX_ITEMS])
        return "{" + shown + _more(len(items)) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        elements = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
        shown = ", ".join(render(v) for v in elements[:MAX_ITEMS])
        return "[" + shown + _more(len(elements)) + "]"
    return render(str(value))


def render_found(values: list[Any], note: Callable[[Any], str] | None = None) -> str:
    """What a path yielded: ``no value``, one value, or a list of them; ``note`` adds a
    remark after each value it concerns (`` (not a date or time)``)."""
    if not values:
        return "no value"
    if note is None:
        return render(values[0]) if len(values) == 1 else render(values)
    if len(values) == 1:
        return render(values[0]) + note(values[0])
    shown = ", ".join(render(v) + note(v) for v in values[:MAX_ITEMS])
    return "[" + shown + _more(len(values)) + "]"


def _more(count: int) -> str:
    return f", … +{count - MAX_ITEMS} more" if count > MAX_ITEMS else ""


def join(reasons: Iterable[str], separator: str) -> str:
    """Distinct reasons in order, at most MAX_REASONS, then ``(+n more)``."""
    if isinstance(reasons, list) and len(reasons) == 1:
        return str(reasons[0])
    distinct = list(dict.fromkeys(r for r in reasons if r))
    text = separator.join(distinct[:MAX_REASONS])
    more = f" (+{len(distinct) - MAX_REASONS} more)" if len(distinct) > MAX_REASONS else ""
    if len(text) > MAX_REASON_TEXT:
        text = text[:MAX_REASON_TEXT] + "…"
    return text + more


def unknown_reason(unknowns: Iterable[Unknown]) -> str:
    return join((u.reason for u in unknowns), "; ") or "a value could not be resolved"
