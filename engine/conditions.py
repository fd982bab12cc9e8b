"""The condition language, compiled once into closures (DESIGN: Condition language).

``compile_condition(tree, params)`` turns the pydantic condition tree of
``engine.model`` into ``predicate(attributes, context) -> Verdict``: a three-valued
truth (Kleene logic) and a reason a reviewer understands. ``compile_test`` gives
the same truth without building reasons: use it to filter large streams (event
``where``), and the predicate where a finding needs its message. Nothing is
ever eval'ed.

``not`` is not evaluated as a wrapper: it is pushed down at compile time
(De Morgan for ``all``/``any``, quantifier duality for items and relations, an
inverted expectation for a leaf), so that a failing negation still says which
value was found and what was expected.

Decisions where DESIGN.md is silent:

- ``matches`` searches (``re.search``): anchor with ``^…$`` to match the whole
  value; numbers and booleans are matched as their text, a mapping (a parsed
  policy document) as its compact JSON with sorted keys, as ``jsonencode`` writes.
- A found value is converted to its operand's kind, as Terraform converts:
  ``"true"`` equals ``true``, ``"5"`` equals ``5``, ``5`` equals ``"5"``. A value
  that does not convert does not satisfy the operator (so ``ne`` holds for it).
- ``gt/gte/lt/lte``: a number operand compares numbers, a date (ISO 8601 text or
  a YAML date) compares instants, other text compares text.
- Dates are ISO 8601 text (naive means UTC), dates, epoch seconds, or epoch
  milliseconds (numbers from 10**11 up).
- ``ne``/``not_in`` are value operators: false on a missing value, like every
  value operator; ``not: {path: p, eq: x}`` means "absent or different".
- ``eq: null`` is a load error: null is absent, so write ``exists: false``.
- Reasons read ``path: found; expected X``; ``all`` lists its failing parts
  (`` and ``), ``any`` its alternatives (`` or ``), at most three each; an
  unknown gives the unresolved expressions (``var.rot is not set``).

Modules: engine.paths (paths), engine.operators + engine.coerce (operators and
converters), engine.leaves (leaves), engine.reasons (reason text),
engine.verdicts (the types re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine.errors import ControlError
from engine.leaves import compile_leaf
from engine.model import All, AnyOf, Condition, Items, Leaf, Not, Related, Resource
from engine.paths import compile_path, validate_path
from engine.reasons import join
from engine.values import Unknown
from engine.verdicts import (
    FALSE,
    TRUE,
    UNKNOWN,
    Compiled,
    EvalContext,
    Lookup,
    Predicate,
    Truth,
    TruthTest,
    Verdict,
)

__all__ = [
    "EvalContext",
    "Lookup",
    "Predicate",
    "Truth",
    "TruthTest",
    "Verdict",
    "compile_condition",
    "compile_test",
    "validate_path",
]


def compile_condition(condition: Condition, params: Mapping[str, Any] | None = None) -> Predicate:
    """Compile ``condition`` into ``predicate(attributes, context) -> Verdict``.

    ``{param: name}`` operands are read from ``params`` now. Raises ``ControlError``
    on a malformed path, a bad operand or an undeclared parameter.
    """
    return _compile(condition, params or {}, False).verdict


def compile_test(condition: Condition, params: Mapping[str, Any] | None = None) -> TruthTest:
    """Like :func:`compile_condition` but returns only the truth: no reason is built,
    so it is the one to use for filtering large streams."""
    return _compile(condition, params or {}, False).test


def _compile(condition: Condition, params: Mapping[str, Any], negated: bool) -> Compiled:
    if isinstance(condition, Leaf):
        return compile_leaf(condition, params, negated)
    if isinstance(condition, Not):
        return _compile(condition.not_, params, not negated)
    if isinstance(condition, All | AnyOf):
        children = [_compile(c, params, negated)
                    for c in (condition.all if isinstance(condition, All) else condition.any)]
        if len(children) == 1:
            return children[0]
        conjunction = isinstance(condition, All) != negated  # De Morgan
        return _conjunction(children) if conjunction else _disjunction(children)
    if isinstance(condition, Items):
        return _items(condition, params, negated)
    if isinstance(condition, Related):
        return _related(condition, params, negated)
    raise ControlError(f"not a condition: {condition!r}")


# --------------------------------------------------------------------------- all / any


def _conjunction(children: list[Compiled]) -> Compiled:
    tests = tuple(c.test for c in children)
    verdicts = tuple(c.verdict for c in children)

    def test(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        unknown = False
        for child in tests:
            truth = child(attrs, ctx)
            if truth is FALSE:
                return FALSE
            if truth is UNKNOWN:
                unknown = True
        return UNKNOWN if unknown else TRUE

    def verdict(attrs: Mapping[str, Any], ctx: EvalContext) -> Verdict:
        results = [child(attrs, ctx) for child in verdicts]
        failed = [v.reason for v in results if v.truth is FALSE]
        if failed:
            return Verdict(FALSE, join(failed, " and "))
        unresolved = [v.reason for v in results if v.truth is UNKNOWN]
        if unresolved:
            return Verdict(UNKNOWN, join(unresolved, "; "))
        return Verdict(TRUE, join((v.reason for v in results), " and "))

    return Compiled(test, verdict)


def _disjunction(children: list[Compiled]) -> Compiled:
    tests = tuple(c.test for c in children)
    verdicts = tuple(c.verdict for c in children)

    def test(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        unknown = False
        for child in tests:
            truth = child(attrs, ctx)
            if truth is TRUE:
                return TRUE
            if truth is UNKNOWN:
                unknown = True
        return UNKNOWN if unknown else FALSE

    def verdict(attrs: Mapping[str, Any], ctx: EvalContext) -> Verdict:
        results = [child(attrs, ctx) for child in verdicts]
        for result in results:
            if result.truth is TRUE:
                return result
        unresolved = [v.reason for v in results if v.truth is UNKNOWN]
        if unresolved:
            return Verdict(UNKNOWN, join(unresolved, "; "))
        return Verdict(FALSE, join((v.reason for v in results), " or "))

    return Compiled(test, verdict)


# --------------------------------------------------------------------------- quantifiers


def _quantify(truths: Iterable[Truth], exists: bool) -> Truth:
    """Kleene ∃ (``exists``) or ∀ over ``truths``; ∃ of nothing is false, ∀ true."""
    decisive, otherwise = (TRUE, FALSE) if exists else (FALSE, TRUE)
    unknown = False
    for truth in truths:
        if truth is decisive:
            return decisive
        if truth is UNKNOWN:
            unknown = True
    return UNKNOWN if unknown else otherwise


def _quantify_verdicts(labelled: list[tuple[str, Verdict]], exists: bool, all_hold: str
                       ) -> Verdict:
    decisive = TRUE if exists else FALSE
    deciding = [f"{label}: {v.reason}" for label, v in labelled if v.truth is decisive]
    if deciding:
        return Verdict(decisive, deciding[0] if exists else join(deciding, " and "))
    unresolved = [v.reason for _, v in labelled if v.truth is UNKNOWN]
    if unresolved:
        return Verdict(UNKNOWN, join(unresolved, "; "))
    if exists:
        return Verdict(FALSE, join((f"{label}: {v.reason}" for label, v in labelled), " and "))
    return Verdict(TRUE, all_hold)


def _items(items: Items, params: Mapping[str, Any], negated: bool) -> Compiled:
    spec, quantifier = items.spec, items.quantifier
    try:
        extract = compile_path(spec.path)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    # any_item C = ∃C; all_items C = ∀C; no_item C = ∀¬C; and ¬∃C = ∀¬C, ¬∀C = ∃¬C.
    exists = (quantifier == "any_item") != negated
    inner_negated = (quantifier == "no_item") != negated
    inner = _compile(spec.where, params, inner_negated)
    inner_test, inner_verdict = inner.test, inner.verdict
    path = spec.path
    empty = Verdict(TRUE if not exists else FALSE, f"{path}: no items")

    def test(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        return _quantify((UNKNOWN if item.__class__ is Unknown else inner_test(item, ctx)
                          for item in extract(attrs)), exists)

    def verdict(attrs: Mapping[str, Any], ctx: EvalContext) -> Verdict:
        values = extract(attrs)
        if not values:
            return empty
        labelled = [(f"{path}[{i}]", Verdict(UNKNOWN, item.reason) if item.__class__ is Unknown
                     else inner_verdict(item, ctx)) for i, item in enumerate(values)]
        held = "no item matches" if inner_negated else "every item holds"
        return _quantify_verdicts(labelled, exists, f"{path}: {held} ({len(values)} checked)")

    return Compiled(test, verdict)


# --------------------------------------------------------------------------- relations


def _related(relation: Related, params: Mapping[str, Any], negated: bool) -> Compiled:
    kind, by, exists = relation.related, relation.by, not negated
    inner = None if relation.assert_ is None else _compile(relation.assert_, params, negated)
    no_index = Verdict(UNKNOWN, f"cannot check {kind} resources: no resource index to look them up")
    refers = f"references this resource through {by}"
    refer = f"reference this resource through {by}"
    none_found = Verdict(FALSE if exists else TRUE, f"no {kind} {refers}")

    # With resources of the related type missing, only what was found can decide: a
    # relation that holds (or fails) because of a resource read is certain; one that
    # rests on nothing matching among what was read is unknown.
    undecided = FALSE if exists else TRUE

    def related(ctx: EvalContext) -> Sequence[Resource] | None:
        if ctx.lookup is None or ctx.subject_id is None:
            return None
        return ctx.lookup(ctx.subject_id, kind, by)

    def gap(ctx: EvalContext) -> str | None:
        return ctx.missing(kind) if ctx.missing is not None else None

    def test(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        resources = related(ctx)
        if resources is None:
            return UNKNOWN
        if inner is None:
            truth = TRUE if bool(resources) == exists else FALSE
        else:
            truth = _quantify((inner.test(r.attributes, replace(ctx, subject_id=r.id))
                               for r in resources), exists)
        return UNKNOWN if truth is undecided and gap(ctx) else truth

    def verdict(attrs: Mapping[str, Any], ctx: EvalContext) -> Verdict:
        found = decided(ctx)
        why = gap(ctx) if found.truth is undecided else None
        return Verdict(UNKNOWN, f"{found.reason}, but {why}") if why else found

    def decided(ctx: EvalContext) -> Verdict:
        resources = related(ctx)
        if resources is None:
            return no_index
        if not resources:
            return none_found
        ordered = sorted(resources, key=lambda r: r.id)
        if inner is None:
            ids = join((r.id for r in ordered), ", ")
            text = f"{ids} {refers if len(ordered) == 1 else refer}"
            return Verdict(TRUE, text) if exists else Verdict(FALSE, f"{text}; expected none")
        labelled = [(r.id, inner.verdict(r.attributes, replace(ctx, subject_id=r.id)))
                    for r in ordered]
        return _quantify_verdicts(labelled, exists, f"no {kind} that {refers} matches "
                                                    f"({len(ordered)} checked)")

    return Compiled(test, verdict)
