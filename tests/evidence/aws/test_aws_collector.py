"""The AWS collector against a moto server seeded with a good and a bad instance
of each resource type in two regions (see aws_estate.py)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.model import Resource
from evidence.aws.collector import AwsCollector
from evidence.interface import CollectRequest
from tests.evidence.aws.aws_estate import ACCOUNT, REGIONS, Estate
from tests.evidence.aws.aws_fakes import RecordingContext


def collect(estate: Estate, *types: str, hooks: Any = (), shard: Any = None,
            **config: Any) -> tuple[dict[str, Resource], RecordingContext]:
    ctx = RecordingContext()
    collector = AwsCollector(estate.config(**config), ctx, hooks=hooks)
    found = list(collector.collect(CollectRequest(types=frozenset(types), shard=shard or {})))
    by_id = {r.id: r for r in found}
    assert len(by_id) == len(found), "resource ids are unique"
    return by_id, ctx


def of_type(resources: dict[str, Resource], type_name: str) -> list[Resource]:
    return [r for r in resources.values() if r.type == type_name]


def test_s3_buckets_read_in_their_regions(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.s3.bucket")
    assert not ctx.errors and not ctx.gaps
    assert {r.type for r in resources.values()} == {"aws.s3.bucket"}
    for region in REGIONS:
        good = resources[f"arn:aws:s3:::assay-good-{region}"]
        bad = resources[f"arn:aws:s3:::assay-bad-{region}"]
        assert good.location.region == region == good.attributes["Region"]
        assert good.location.account == ACCOUNT
        rule = good.attributes["Encryption"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert good.attributes["PublicAccessBlock"]["BlockPublicPolicy"] is True
        assert good.attributes["Versioning"] == {"Status": "Enabled"}
        assert good.attributes["Logging"]["TargetBucket"] == f"assay-good-{region}"
        assert good.refs["Logging"] == [f"arn:aws:s3:::assay-good-{region}"]
        assert good.attributes["Policy"]["Statement"][0]["Sid"] == "DenyInsecureTransport"
        assert good.attributes["ObjectLock"]["ObjectLockEnabled"] == "Enabled"
        assert good.attributes["CreationDate"].endswith("Z")
        for absent in ("PublicAccessBlock", "Versioning", "Logging", "Policy", "ObjectLock"):
            assert absent not in bad.attributes, absent
    # only the APIs behind the type were called
    assert ctx.operations() <= {"AssumeRole", "GetCallerIdentity", "ListBuckets",
                                "GetBucketLocation", "GetBucketEncryption",
                                "GetPublicAccessBlock", "GetBucketVersioning",
                                "GetBucketLogging", "GetBucketPolicy",
                                "GetObjectLockConfiguration", "GetBucketTagging"}


def test_account_public_access_block(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.s3.account_public_access_block")
    [pab] = resources.values()
    assert pab.id == f"arn:aws:s3::{ACCOUNT}:account_public_access_block"
    assert pab.attributes == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                              "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert pab.location.region == "global"


def test_iam_users_policies_and_principals(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.iam.user", "aws.iam.policy", "aws.iam.group",
                             "aws.iam.role", "aws.iam.password_policy", "aws.iam.root")
    assert not ctx.errors and not ctx.gaps
    good = resources[f"arn:aws:iam::{ACCOUNT}:user/assay-good-user"].attributes
    bad = resources[f"arn:aws:iam::{ACCOUNT}:user/assay-bad-user"].attributes
    assert good["mfa_active"] is True and good["password_enabled"] is True
    assert bad["mfa_active"] is False and bad["access_key_1_active"] is True
    assert bad["access_key_1_last_rotated"].endswith("Z")
    assert "access_key_1_last_used_date" not in bad  # N/A in the report → absent
    assert [p["PolicyName"] for p in bad["AttachedPolicies"]] == ["assay-bad-admin"]
    assert bad["InlinePolicyNames"] == ["inline-admin"]
    bad_user = resources[f"arn:aws:iam::{ACCOUNT}:user/assay-bad-user"]
    assert bad_user.refs["AttachedPolicies"] == [estate.ids["policy_bad"]]
    admin = resources[estate.ids["policy_bad"]].attributes
    assert admin["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert admin["AttachmentCount"] == 1 and admin["PolicyName"] == "assay-bad-admin"
    assert resources[estate.ids["policy_good"]].attributes["Document"]["Statement"][0][
        "Action"] == "s3:GetObject"
    group = resources[f"arn:aws:iam::{ACCOUNT}:group/assay-good-readers"]
    assert group.refs["AttachedManagedPolicies"] == [estate.ids["policy_good"]]
    role = resources[f"arn:aws:iam::{ACCOUNT}:role/assay-good-role"]
    assert isinstance(role.attributes["AssumeRolePolicyDocument"]["Statement"], list)
    policy = resources[f"arn:aws:iam::{ACCOUNT}:password_policy"].attributes
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24
    root = resources[f"arn:aws:iam::{ACCOUNT}:root"]
    assert root.attributes["AccountMFAEnabled"] is False
    # the credential report is generated once although two types read it
    assert sum(a.query["operation"] == "GetCredentialReport" for a in ctx.artifacts) == 1


def test_kms_customer_keys_with_rotation(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.kms.key")
    for region in REGIONS:
        good = resources[estate.ids[f"key_good_{region}"]]
        bad = resources[estate.ids[f"key_bad_{region}"]]
        assert good.attributes["KeyRotationEnabled"] is True
        assert bad.attributes["KeyRotationEnabled"] is False
        assert good.attributes["KeyManager"] == "CUSTOMER"
        assert good.location.region == region


def test_ec2_security_groups_volumes_vpcs(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.ec2.security_group", "aws.ec2.volume", "aws.ec2.vpc",
                             "aws.ec2.ebs_encryption_by_default")
    assert not ctx.errors and not ctx.gaps
    groups = {r.attributes["GroupId"]: r for r in of_type(resources, "aws.ec2.security_group")}
    volumes = {r.attributes["VolumeId"]: r for r in of_type(resources, "aws.ec2.volume")}
    vpcs = {r.attributes["VpcId"]: r for r in of_type(resources, "aws.ec2.vpc")}
    for region in REGIONS:
        bad = groups[estate.ids[f"sg_bad_{region}"]]
        assert bad.attributes["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
        assert bad.refs["VpcId"] == [
            f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{estate.ids[f'vpc_bad_{region}']}"]
        good = groups[estate.ids[f"sg_good_{region}"]]
        assert good.attributes["IpPermissions"][0]["FromPort"] == 443
        assert volumes[estate.ids[f"vol_good_{region}"]].attributes["Encrypted"] is True
        assert volumes[estate.ids[f"vol_good_{region}"]].refs["KmsKeyId"] == [
            estate.ids[f"key_good_{region}"]]
        assert volumes[estate.ids[f"vol_bad_{region}"]].attributes["Encrypted"] is False
        flow = vpcs[estate.ids[f"vpc_good_{region}"]].attributes["FlowLogs"]
        assert [f["ResourceId"] for f in flow] == [estate.ids[f"vpc_good_{region}"]]
        assert vpcs[estate.ids[f"vpc_bad_{region}"]].attributes["FlowLogs"] == []
    ebs = {r.location.region: r.attributes for r in
           of_type(resources, "aws.ec2.ebs_encryption_by_default")}
    assert ebs == {"us-east-1": {"EbsEncryptionByDefault": True},
                   "eu-west-1": {"EbsEncryptionByDefault": False}}


def test_every_call_is_recorded(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.kms.key", "aws.ec2.security_group")
    list_keys = [a for a in ctx.artifacts if a.query["operation"] == "ListKeys"]
    assert sorted(a.query["region"] for a in list_keys) == sorted(REGIONS)
    for artifact in list_keys:
        q = artifact.query
        assert q["account"] == ACCOUNT and q["pages"] >= 1 and q["duration_ms"] >= 0
        assert q["caller_arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/assay-audit/")
        assert artifact.complete is True and artifact.media_type == "application/json"
        assert artifact.item_count >= 2  # the two seeded keys at least
    assert ctx.counts["aws.api_calls"] == len(ctx.artifacts)


@pytest.mark.parametrize("shard,regions", [({"regions": ["eu-west-1"]}, {"eu-west-1"}),
                                           ({"accounts": ["222222222222"]}, set())])
def test_shard_restricts_scope(estate: Estate, shard: Any, regions: set[str]) -> None:
    resources, ctx = collect(estate, "aws.kms.key", "aws.iam.password_policy", shard=shard)
    assert {r.location.region for r in resources.values()} == regions
    # account-wide types belong to the shard holding the home region (us-east-1)
    assert not [r for r in resources.values() if r.type == "aws.iam.password_policy"]
