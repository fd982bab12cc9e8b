"""sources.aws is checked before any call; bad keys name themselves."""

from __future__ import annotations

import pytest

from engine.errors import CollectorError
from evidence.aws.config import Account, parse


def test_defaults_and_forms() -> None:
    cfg = parse({"regions": "all", "accounts": [{"id": "111111111111"}], "max_workers": 4})
    assert cfg.regions is None and cfg.max_workers == 4
    assert cfg.accounts == (Account("111111111111", None, None),)
    assert parse({}).regions == () and parse({}).max_workers == 16
    assert parse({"regions": ["eu-west-1", "eu-west-1", "us-east-1"]}).regions == (
        "eu-west-1", "us-east-1")
    # the engine's config model dumps every key, unset ones as None
    assert parse({"regions": ["us-east-1"], "profile": None, "endpoint_url": None,
                  "accounts": [{"id": "1", "role_arn": None, "external_id": None}],
                  "max_workers": 16}).accounts[0].role_arn is None


@pytest.mark.parametrize("config,message", [
    ({"region": ["us-east-1"]}, "unknown keys: region"),
    ({"regions": []}, "regions must be"),
    ({"max_workers": 0}, "max_workers must be"),
    ({"max_workers": True}, "max_workers must be"),
    ({"accounts": {"id": "1"}}, "accounts must be a list"),
    ({"accounts": [{"role_arn": "arn:aws:iam::1:role/x"}]}, "accounts[0] needs an id"),
    ({"accounts": [{"id": "1", "role": "x"}]}, "accounts[0] has unknown keys: role"),
])
def test_bad_config(config: dict[str, object], message: str) -> None:
    with pytest.raises(CollectorError) as raised:
        parse(config)
    assert message in str(raised.value) and str(raised.value).startswith("sources.aws: ")
