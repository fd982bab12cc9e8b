"""The one-pass evaluator of event checks, on events built in the test."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conditions import EvalContext, Truth, compile_test
from engine.event_checks import MAX_FINDINGS, run_event_checks
from engine.event_guard import where_test
from engine.model import Check, Control, Event, EventsSpec
from engine.outcome import CheckOutcome
from engine.status import Status
from engine.values import Unknown

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)
AS_OF = datetime(2026, 2, 1, tzinfo=UTC)


def control(check: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> Control:
    return Control.model_validate({
        "id": "LOG-TEST-01", "title": "t", "objective": "o", "severity": "high",
        "frameworks": {"soc2": ["CC7.2"]}, "params": dict(params or {}),
        "checks": [{"id": "c", "source": "cloudtrail", "remediation": "r", **check}]})


def event(day: float, name: str = "Noise", n: int = 0, **attrs: Any) -> Event:
    return Event("cloudtrail", START + timedelta(days=day), {"eventName": name, **attrs},
                 f"logs/f.json:{n}", attrs.get("eventID"))


def run(checks: list[Mapping[str, Any]], events: list[Event], end: datetime = END,
        **kwargs: Any) -> list[CheckOutcome]:
    bound: list[tuple[Control, Check, Mapping[str, Any]]] = []
    for spec in checks:
        ctl = control(spec)
        bound.append((ctl, ctl.checks[0], {k: v.default for k, v in ctl.params.items()}))
    return run_event_checks("cloudtrail", iter(events), bound, START, end, AS_OF, **kwargs)


ROOT = {"events": {"where": {"path": "eventName", "eq": "Root"}}, "expect": "none"}


def test_expect_none_lists_each_matching_event() -> None:
    events = [event(1, "Noise", 1), event(2, "Root", 2, eventID="e-2"), event(3, "Root", 3)]
    (outcome,) = run([ROOT], events)
    assert outcome.status is Status.FAIL
    assert [(f.status, f.resource.type, f.resource.id, f.resource.location.file,
             f.resource.location.line) for f in outcome.findings] == [
        (Status.FAIL, "event", "e-2", "logs/f.json", 2),
        (Status.FAIL, "event", "logs/f.json:3", "logs/f.json", 3)]
    finding = outcome.findings[0]
    assert finding.severity == "high" and finding.source == "cloudtrail"
    assert finding.control_id == "LOG-TEST-01" and finding.check_id == "c"
    assert "2026-01-03T00:00:00Z" in finding.message and '"Root"' in finding.message
    assert outcome.population == {"events_read": 3, "events_matching": 2, "events_failing": 2}
    assert outcome.counts.fail == 2 and outcome.counts.tested == 3


def test_no_matching_event_passes_and_says_how_many_were_read() -> None:
    (outcome,) = run([ROOT], [event(1), event(2)])
    assert outcome.status is Status.PASS and outcome.findings == []
    assert outcome.message.startswith("2 event(s) read, 0 matching")
    assert outcome.population == {"events_read": 2, "events_matching": 0, "events_failing": 0}


def test_no_event_at_all_is_not_collected_never_pass() -> None:
    gap = {"events": {}, "expect": {"max_gap": "1d"}}
    outcomes = run([ROOT, gap], [event(-5), event(40)])  # both outside the period
    assert [o.status for o in outcomes] == [Status.NOT_COLLECTED, Status.NOT_COLLECTED]
    assert all(o.findings[0].status is Status.NOT_COLLECTED for o in outcomes)


def test_assert_lists_the_events_that_fail_and_counts_those_that_hold() -> None:
    check = {"events": {"where": {"path": "eventName", "eq": "ConsoleLogin"}},
             "assert": {"path": "mfa", "eq": "Yes"}}
    events = [event(1, "ConsoleLogin", 1, mfa="Yes"), event(2, "ConsoleLogin", 2, mfa="No"),
              event(3, "ConsoleLogin", 3), event(4, "Other", 4, mfa="No")]
    (outcome,) = run([check], events)
    assert outcome.status is Status.FAIL
    assert [f.resource.id for f in outcome.findings] == ["logs/f.json:2", "logs/f.json:3"]
    assert '"No"' in outcome.findings[0].message and "no value" in outcome.findings[1].message
    assert outcome.counts.pass_ == 1 and outcome.counts.fail == 2 and outcome.counts.tested == 3
    assert outcome.population == {"events_read": 4, "events_matching": 3, "events_failing": 2}


def test_failing_findings_beyond_the_cap_are_counted_not_kept() -> None:
    events = [event(i / 10000, "Root", i) for i in range(MAX_FINDINGS + 250)]
    (outcome,) = run([ROOT], events)
    assert len(outcome.findings) == MAX_FINDINGS and outcome.truncated == 250
    assert outcome.population is not None and outcome.population["events_failing"] == 1250
    assert "250 more finding(s)" in outcome.message


def test_gap_check_names_each_interval_longer_than_max_gap() -> None:
    check = {"events": {"where": {"path": "eventName", "eq": "Review"}},
             "expect": {"max_gap": "7d"}}
    events = [event(3, "Review"), event(5, "Noise"), event(9, "Review"), event(20, "Review"),
              event(25, "Review")]
    (outcome,) = run([check], events)
    assert outcome.status is Status.FAIL
    (gap,) = outcome.findings
    assert gap.resource.type == "gap"
    assert gap.resource.id == "2026-01-10T00:00:00Z..2026-01-21T00:00:00Z"
    assert gap.window is not None and gap.window.end - gap.window.start == timedelta(days=11)
    assert "11d" in gap.message and "max_gap 7d" in gap.message
    assert outcome.population == {"events_read": 5, "events_matching": 4, "events_failing": 0,
                                  "gaps_failing": 1}


def test_gap_check_bounds_are_the_period_start_and_end() -> None:
    check = {"events": {}, "expect": {"max_gap": "10d"}}
    (outcome,) = run([check], [event(12), event(15)])
    assert [f.resource.id for f in outcome.findings] == [
        "2026-01-01T00:00:00Z..2026-01-13T00:00:00Z",
        "2026-01-16T00:00:00Z..2026-01-31T23:59:59Z"]
    (held,) = run([check], [event(9), event(15), event(24)])
    assert held.status is Status.PASS


def test_gap_check_without_matching_events_is_one_gap_over_the_period() -> None:
    check = {"events": {"where": {"path": "eventName", "eq": "Review"}},
             "expect": {"max_gap": "7d"}}
    (outcome,) = run([check], [event(2)])
    assert [f.resource.id for f in outcome.findings] == [
        "2026-01-01T00:00:00Z..2026-01-31T23:59:59Z"]


def test_out_of_order_events_give_the_same_gaps_as_sorted_ones() -> None:
    check = {"events": {}, "expect": {"max_gap": "3d"}}
    days = [1, 2, 6, 7, 15, 16, 4, 11, 29, 23, 30, 19]
    unsorted = run([check], [event(d) for d in days])[0]
    ordered = run([check], [event(d) for d in sorted(days)])[0]
    ids = [f.resource.id for f in ordered.findings]
    assert ids == [f.resource.id for f in unsorted.findings]
    assert ids == ["2026-01-08T00:00:00Z..2026-01-12T00:00:00Z",
                   "2026-01-12T00:00:00Z..2026-01-16T00:00:00Z",
                   "2026-01-20T00:00:00Z..2026-01-24T00:00:00Z",
                   "2026-01-24T00:00:00Z..2026-01-30T00:00:00Z"]


def test_an_unknown_where_makes_the_finding_unknown() -> None:
    check = {"events": {"where": {"path": "count", "gt": 5}}, "expect": "none"}
    events = [event(1, count=3), event(2, count=Unknown("redacted")), event(3, count=9)]
    (outcome,) = run([check], events)
    assert [f.status for f in outcome.findings] == [Status.UNKNOWN, Status.FAIL]
    assert "redacted" in outcome.findings[0].message
    gap = {"events": {"where": {"path": "count", "gt": 5}}, "expect": {"max_gap": "5d"}}
    (gapped,) = run([gap], [event(2, count=Unknown("x")), event(8, count=9),
                            event(20, count=9)])
    assert [f.status for f in gapped.findings] == [Status.UNKNOWN, Status.FAIL, Status.FAIL]


def test_all_checks_share_one_pass_over_a_one_shot_iterator() -> None:
    pulled = []

    def stream() -> Any:
        for i in range(5):
            pulled.append(i)
            yield event(i + 1, "Root" if i == 2 else "Noise", i)

    bound = [(c, c.checks[0], {}) for c in (control(ROOT), control(
        {"events": {}, "expect": {"max_gap": "40d"}}))]
    outcomes = run_event_checks("cloudtrail", stream(), bound, START, END, AS_OF)
    assert pulled == [0, 1, 2, 3, 4]
    assert [o.status for o in outcomes] == [Status.FAIL, Status.PASS]
    assert all(o.population is not None and o.population["events_read"] == 5 for o in outcomes)


def test_parameters_reach_the_conditions() -> None:
    ctl = Control.model_validate({
        "id": "LOG-TEST-02", "title": "t", "objective": "o", "severity": "low",
        "frameworks": {"soc2": ["CC7.2"]},
        "params": {"role": {"default": "deployer"}},
        "checks": [{"id": "c", "source": "cloudtrail", "remediation": "r",
                    "events": {"where": {"path": "user", "eq": {"param": "role"}}},
                    "expect": "none"}]})
    events = [event(1, user="deployer"), event(2, user="admin")]
    (outcome,) = run_event_checks("cloudtrail", events, [(ctl, ctl.checks[0], {"role": "admin"})],
                                  START, END, AS_OF)
    assert len(outcome.findings) == 1 and '"admin"' in outcome.findings[0].message
    assert outcome.findings[0].resource.location.line == 0


def test_a_check_that_cannot_compile_is_an_error_and_the_others_still_run() -> None:
    bad = control({"events": {"where": {"path": "user", "eq": {"param": "nope"}}},
                   "expect": "none"})
    good = control(ROOT)
    outcomes = run_event_checks("cloudtrail", [event(1, "Root")],
                                [(bad, bad.checks[0], {}), (good, good.checks[0], {})],
                                START, END, AS_OF)
    assert outcomes[0].status is Status.ERROR and "nope" in outcomes[0].message
    assert outcomes[1].status is Status.FAIL


def test_a_pass_over_an_incomplete_collection_is_an_error() -> None:
    outcomes = run([ROOT, {**ROOT, "events": {"where": {"path": "eventName", "eq": "Noise"}}}],
                   [event(1)], incomplete=lambda: "logs/x.json.gz: truncated gzip file")
    assert outcomes[0].status is Status.ERROR and "truncated gzip" in outcomes[0].message
    assert outcomes[1].status is Status.FAIL  # what failed still failed


def test_events_after_the_end_are_ignored() -> None:
    (outcome,) = run([ROOT], [event(1, "Root"), event(10, "Root")],
                     end=START + timedelta(days=5))
    assert outcome.population is not None and outcome.population["events_read"] == 1


# --------------------------------------------------------------------------- the where guard

_VALUES = st.one_of(st.none(), st.sampled_from(["A", "B", "C", "a"]), st.integers(0, 2),
                    st.booleans(), st.builds(Unknown, st.just("unresolved")))
_TREES = st.recursive(
    _VALUES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                     st.dictionaries(st.sampled_from(["x", "y"]), inner,
                                                     max_size=2)), max_leaves=6)
_ATTRS = st.dictionaries(st.sampled_from(["name", "src", "x"]), _TREES, max_size=3)
_LEAVES = st.one_of(
    st.builds(lambda p, v: {"path": p, "eq": v}, st.sampled_from(["name", "src.x", "x.y.x"]),
              st.sampled_from(["A", "B", 1, True])),
    st.builds(lambda p, v: {"path": p, "in": v}, st.sampled_from(["name", "src.x"]),
              st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3)))
_WHERES = st.one_of(_LEAVES, st.builds(lambda c: {"all": c}, st.lists(_LEAVES, min_size=1,
                                                                       max_size=3)))


@settings(max_examples=200, deadline=None)
@given(where=_WHERES, attrs=_ATTRS)
def test_the_where_guard_never_changes_a_verdict(where: dict[str, Any],
                                                 attrs: dict[str, Any]) -> None:
    condition = EventsSpec.model_validate({"where": where}).where
    assert condition is not None
    ctx = EvalContext(as_of=AS_OF)
    assert where_test(condition, {})(attrs, ctx) is compile_test(condition, {})(attrs, ctx)


def test_findings_cite_the_artifacts_known_after_the_pass() -> None:
    stored: list[str] = []

    def stream() -> Any:
        yield event(1, "Root")
        stored.append("b" * 64)  # the collector stores its manifest once read to the end

    (outcome,) = run_event_checks("cloudtrail", stream(), [(c, c.checks[0], {}) for c in
                                                           [control(ROOT)]],
                                  START, END, AS_OF, artifacts=lambda: stored)
    assert outcome.findings[0].artifacts == ["b" * 64]


def test_a_parameter_operand_is_guarded_like_a_literal_one() -> None:
    ctl = Control.model_validate({
        "id": "LOG-TEST-03", "title": "t", "objective": "o", "severity": "low",
        "frameworks": {"soc2": ["CC7.2"]},
        "params": {"actions": {"default": ["role.grant"]}},
        "checks": [{"id": "c", "source": "auditlog", "remediation": "r",
                    "events": {"where": {"path": "action", "in": {"param": "actions"}}},
                    "assert": {"path": "mfa", "eq": True}}]})
    events = [event(1, action="role.grant", mfa=False), event(2, action="login", mfa=False),
              event(3, action=["role.grant", "x"], mfa=True), event(4, action="user.create")]
    (outcome,) = run_event_checks("auditlog", events, [(ctl, ctl.checks[0], ctl.params)],
                                  START, END, AS_OF)
    assert outcome.population == {"events_read": 4, "events_matching": 1, "events_failing": 1}
    (custom,) = run_event_checks("auditlog", events, [(ctl, ctl.checks[0],
                                                       {"actions": ["user.create"]})],
                                 START, END, AS_OF)
    assert custom.population == {"events_read": 4, "events_matching": 1, "events_failing": 1}
    assert custom.findings[0].resource.id == "logs/f.json:0"


def test_an_incomplete_collection_that_yielded_nothing_is_an_error() -> None:
    (outcome,) = run([ROOT], [], incomplete=lambda: "logs/a.json.gz: truncated gzip file")
    assert outcome.status is Status.ERROR
    assert outcome.message.endswith("truncated gzip file") and outcome.findings == []


class _Exploding(dict[str, Any]):
    """Attributes whose ``boom`` key cannot be read (a Mapping from a broken collector)."""

    def get(self, key: str, default: Any = None) -> Any:
        if key == "boom":
            raise RuntimeError("unreadable attribute")
        return super().get(key, default)


def test_a_check_that_breaks_on_an_event_is_an_error_and_the_others_go_on() -> None:
    boom = control({"events": {"where": {"path": "boom", "eq": "x"}}, "expect": "none"})
    root = control(ROOT)
    events = [event(1, "Root", 1),
              Event("cloudtrail", START + timedelta(days=2), _Exploding(eventName="Root"),
                    "logs/f.json:2"),
              event(3, "Root", 3)]
    outcomes = run_event_checks("cloudtrail", events, [(c, c.checks[0], {}) for c in (boom, root)],
                                START, END, AS_OF)
    assert outcomes[0].status is Status.ERROR
    assert outcomes[0].message == ("evaluation failed at logs/f.json:2: "
                                   "RuntimeError: unreadable attribute")
    assert outcomes[1].status is Status.FAIL and len(outcomes[1].findings) == 3


@settings(max_examples=100, deadline=None)
@given(wheres=st.lists(_WHERES, min_size=1, max_size=4), rows=st.lists(_ATTRS, min_size=1, max_size=8))
def test_routing_feeds_each_check_exactly_the_events_its_where_keeps(
        wheres: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    controls = [control({"events": {"where": w}, "expect": "none"}) for w in wheres]
    events = [Event("cloudtrail", START + timedelta(hours=i), row, f"f:{i}")
              for i, row in enumerate(rows)]
    outcomes = run_event_checks("cloudtrail", events, [(c, c.checks[0], {}) for c in controls],
                                START, END, AS_OF)
    ctx = EvalContext(as_of=AS_OF)
    for ctl, outcome in zip(controls, outcomes, strict=True):
        where = ctl.checks[0].events.where  # type: ignore[union-attr]
        assert where is not None
        test = compile_test(where, {})
        kept = [e.location for e in events if test(e.attributes, ctx) is not Truth.FALSE]
        assert [f.resource.id for f in outcome.findings] == kept


def test_gap_checks_settle_old_intervals_and_say_when_a_late_event_cannot_be_placed(
        monkeypatch: Any) -> None:
    import engine.event_gaps

    monkeypatch.setattr(engine.event_gaps, "MAX_OPEN_GAPS", 4)
    check = {"events": {}, "expect": {"max_gap": "1d"}}
    days = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
    ordered = run([check], [event(d) for d in days])[0]
    late = run([check], [event(d) for d in days] + [event(27), event(1)])[0]
    assert len(ordered.findings) == 15 and ordered.message.endswith("15 interval(s) longer "
                                                                      "than 1d")
    # day 27 still splits an open interval (Jan 27..29 → two intervals of one day: no gap);
    # day 1 falls before the settled horizon and is only counted
    assert len(late.findings) == 14
    assert "2026-01-27T00:00:00Z..2026-01-29T00:00:00Z" not in [f.resource.id
                                                                for f in late.findings]
    assert late.findings[0].resource.id == "2026-01-01T00:00:00Z..2026-01-03T00:00:00Z"
    assert late.message.endswith("1 event(s) arrived out of order before "
                                 "2026-01-25T00:00:00Z, after the intervals there were settled,"
                                 " so intervals before it may be overstated")


def test_assert_checks_with_unknown_values_give_unknown_findings() -> None:
    check = {"events": {"where": {"path": "kind", "eq": "login"}},
             "assert": {"path": "mfa", "eq": "Yes"}}
    events = [event(1, kind="login", mfa="Yes"), event(2, kind="login", mfa=Unknown("masked")),
              event(3, kind=Unknown("kind redacted"), mfa="No"), event(4, kind="other")]
    (outcome,) = run([check], events)
    assert outcome.status is Status.UNKNOWN
    assert [(f.status, f.resource.id) for f in outcome.findings] == [
        (Status.UNKNOWN, "logs/f.json:0"), (Status.UNKNOWN, "logs/f.json:0")]
    assert "cannot be judged" in outcome.findings[0].message
    assert "masked" in outcome.findings[0].message
    assert "may be in scope" in outcome.findings[1].message
    assert outcome.counts.pass_ == 1 and outcome.counts.unknown == 2
    assert outcome.population == {"events_read": 4, "events_matching": 3, "events_failing": 0,
                                  "events_unknown": 2}
