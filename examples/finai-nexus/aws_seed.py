"""Seed a local AWS stand-in (a moto server) to match infra/*.tf — plus one drift.

The drift (``apply_drift``): someone removed the public access block of
finai-learner-documents by hand in the console. Terraform still declares it,
so the Terraform check passes while the live AWS check fails — the gap only a
live read shows.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

REGION = "us-east-1"
RANDOM_SEED = 2026
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}

# (moto reads the statements in order and stops at the first that grants log delivery)
LOGS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AccessLogWrite", "Effect": "Allow",
     "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::finai-audit-logs/s3-access/documents/*"},
    {"Sid": "CloudTrailWrite", "Effect": "Allow",
     "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::finai-audit-logs/cloudtrail/*"},
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::finai-audit-logs", "arn:aws:s3:::finai-audit-logs/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
]}


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="demo", aws_secret_access_key="demo")


def _kms(endpoint: str) -> dict[str, str]:
    kms = _client("kms", endpoint)
    keys = {}
    for name, rotate in (("documents", True), ("logs", True), ("analytics", False)):
        key = kms.create_key(Description=f"finai {name}", Tags=[
            {"TagKey": "Environment", "TagValue": "production"}])["KeyMetadata"]
        if rotate:
            kms.enable_key_rotation(KeyId=key["KeyId"])
        keys[name] = key["Arn"]
    return keys


def _buckets(endpoint: str, keys: dict[str, str]) -> None:
    s3 = _client("s3", endpoint)
    kms_rule = lambda arn: {"Rules": [{"ApplyServerSideEncryptionByDefault": {  # noqa: E731
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn}}]}
    for name in ("finai-learner-documents", "finai-audit-logs", "finai-course-media",
                 "finai-ml-exports"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(Bucket="finai-learner-documents",
                             ServerSideEncryptionConfiguration=kms_rule(keys["documents"]))
    s3.put_bucket_encryption(Bucket="finai-audit-logs",
                             ServerSideEncryptionConfiguration=kms_rule(keys["logs"]))
    s3.put_bucket_encryption(Bucket="finai-course-media", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    for name in ("finai-learner-documents", "finai-audit-logs"):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for name in ("finai-learner-documents", "finai-audit-logs", "finai-course-media"):
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=ALL_BLOCKED)
    s3.put_bucket_policy(Bucket="finai-audit-logs", Policy=json.dumps(LOGS_POLICY))
    s3.put_bucket_logging(Bucket="finai-learner-documents", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "finai-audit-logs",
                           "TargetPrefix": "s3-access/documents/"}})


def apply_drift(endpoint: str) -> None:
    """The change made by hand on 2026-06-30: still declared in storage.tf, gone in AWS."""
    _client("s3", endpoint).delete_public_access_block(Bucket="finai-learner-documents")


def _network(endpoint: str, keys: dict[str, str]) -> str:
    ec2 = _client("ec2", endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    logs = _client("logs", endpoint)
    logs.create_log_group(logGroupName="/finai/vpc-flow-logs", kmsKeyId=keys["logs"])
    logs.put_retention_policy(logGroupName="/finai/vpc-flow-logs", retentionInDays=400)
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                         LogGroupName="/finai/vpc-flow-logs",
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/finai-flow-logs")
    rules = {"finai-web": (443, "0.0.0.0/0"), "finai-bastion": (22, "0.0.0.0/0"),
             "finai-database": (5432, "10.20.0.0/16")}
    for name, (port, cidr) in rules.items():
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "IpRanges": [{"CidrIp": cidr}]}])
    ec2.enable_ebs_encryption_by_default()
    return vpc


def _databases(endpoint: str, keys: dict[str, str]) -> None:
    rds = _client("rds", endpoint)
    common = {"Engine": "postgres", "EngineVersion": "16.3", "MasterUsername": "finai_admin",
              "MasterUserPassword": "not-a-real-password-1", "PubliclyAccessible": False}
    rds.create_db_instance(DBInstanceIdentifier="finai-learners", DBInstanceClass="db.t4g.medium",
                           AllocatedStorage=100, StorageEncrypted=True, KmsKeyId=keys["documents"],
                           BackupRetentionPeriod=14, DeletionProtection=True, MultiAZ=True,
                           EnableCloudwatchLogsExports=["postgresql"], **common)
    rds.create_db_instance(DBInstanceIdentifier="finai-analytics", DBInstanceClass="db.r6g.large",
                           AllocatedStorage=500, StorageEncrypted=False,
                           BackupRetentionPeriod=1, **common)


def _trail(endpoint: str, keys: dict[str, str]) -> None:
    ct = _client("cloudtrail", endpoint)
    ct.create_trail(Name="finai-trail", S3BucketName="finai-audit-logs", S3KeyPrefix="cloudtrail",
                    IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True,
                    EnableLogFileValidation=True, KmsKeyId=keys["logs"])
    ct.put_event_selectors(TrailName="finai-trail", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    ct.start_logging(Name="finai-trail")


def _iam(endpoint: str) -> None:
    iam = _client("iam", endpoint)
    iam.update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24)
    iam.create_role(RoleName="finai-flow-logs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}))
    policies = {
        "finai-audit-readonly": {"Effect": "Allow", "Resource": "*", "Action": [
            "cloudtrail:LookupEvents", "cloudtrail:GetTrailStatus", "s3:GetObject"]},
        "finai-break-glass": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    }
    for name, statement in policies.items():
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))
    for user in ("a.mensah", "j.okafor"):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Demo-Only-Password-1!")


def seed(endpoint: str) -> None:
    """Create the estate, as Terraform declares it, in the moto server at ``endpoint``.

    moto's random generator is seeded first, so key, VPC and security group ids (and
    with them the findings) are the same on every run of the demo.
    """
    with urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - a local moto server
            f"{endpoint}/moto-api/seed?a={RANDOM_SEED}", method="POST"), timeout=10):
        pass
    keys = _kms(endpoint)
    _buckets(endpoint, keys)
    _network(endpoint, keys)
    _databases(endpoint, keys)
    _trail(endpoint, keys)
    _iam(endpoint)
