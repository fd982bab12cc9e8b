from engine.status import RequirementStatus, Severity, Status, requirement_status, worst


def test_worst_follows_design_order() -> None:
    assert worst([Status.PASS, Status.WAIVED]) is Status.WAIVED
    assert worst([Status.PASS, Status.NOT_COLLECTED, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.ERROR, Status.FAIL]) is Status.FAIL
    assert worst([Status.MANUAL_PENDING, Status.PASS]) is Status.MANUAL_PENDING
    assert worst([Status.NOT_APPLICABLE, Status.PASS]) is Status.PASS


def test_not_applicable_only_when_everything_is() -> None:
    assert worst([Status.NOT_APPLICABLE, Status.NOT_APPLICABLE]) is Status.NOT_APPLICABLE
    assert worst([]) is Status.NOT_APPLICABLE


def test_requirement_roll_up() -> None:
    assert requirement_status([]) is RequirementStatus.NOT_COVERED
    assert requirement_status([Status.PASS, Status.FAIL]) is RequirementStatus.NOT_SATISFIED
    assert requirement_status([Status.PASS, Status.UNKNOWN]) is RequirementStatus.INCOMPLETE
    assert requirement_status([Status.NOT_COLLECTED]) is RequirementStatus.INCOMPLETE
    assert requirement_status([Status.MANUAL_PENDING, Status.PASS]) is RequirementStatus.MANUAL_PENDING
    assert requirement_status([Status.PASS, Status.WAIVED]) is RequirementStatus.SATISFIED
    assert requirement_status([Status.NOT_APPLICABLE]) is RequirementStatus.NOT_APPLICABLE
    assert requirement_status([Status.NOT_APPLICABLE, Status.PASS]) is RequirementStatus.SATISFIED


def test_severity_rank_orders_levels() -> None:
    ranks = [s.rank for s in (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
                              Severity.CRITICAL)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
