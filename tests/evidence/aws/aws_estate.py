"""A small AWS estate seeded into moto: for each type, one compliant and one
non-compliant instance, in two regions. Names say which is which."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from evidence.aws.session import strip_account_host_prefix

ACCOUNT = "111111111111"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/assay-audit"
REGIONS = ("us-east-1", "eu-west-1")
PLANTED_PASSWORD = "hunter2-planted-password"
PLANTED_PEM = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEplantedPRIVATEkeyMATERIAL\n"
               "-----END RSA PRIVATE KEY-----")

ADMIN_POLICY = {"Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
READ_POLICY = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                              "Resource": "arn:aws:s3:::assay-good-*/*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "ec2.amazonaws.com"}}]}


@dataclass
class Estate:
    endpoint_url: str
    session: boto3.Session
    ids: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        client = self.session.client(service, region_name=region, endpoint_url=self.endpoint_url)
        if service == "s3control":
            client.meta.events.register("before-send", strip_account_host_prefix)
        return client

    def config(self, **extra: Any) -> dict[str, Any]:
        return {"endpoint_url": self.endpoint_url, "regions": list(REGIONS),
                "accounts": [{"id": ACCOUNT, "role_arn": ROLE_ARN}], **extra}


def assumed_session(endpoint_url: str) -> boto3.Session:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint_url)
    creds = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="seed")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def seed(endpoint_url: str) -> Estate:
    estate = Estate(endpoint_url, assumed_session(endpoint_url))
    _iam(estate)
    estate.client("s3control").put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    for region in REGIONS:
        _s3(estate, region)
        _kms(estate, region)
        _ec2(estate, region)
        _logging(estate, region)
        _detection(estate, region)
        _data(estate, region)
        _rds(estate, region)
        _elbv2(estate, region)
    return estate


def _iam(estate: Estate) -> None:
    iam = estate.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,
                                       RequireNumbers=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=24)
    good = iam.create_policy(PolicyName="assay-good-read", PolicyDocument=json.dumps(READ_POLICY))
    bad = iam.create_policy(PolicyName="assay-bad-admin", PolicyDocument=json.dumps(ADMIN_POLICY))
    estate.ids["policy_good"] = good["Policy"]["Arn"]
    estate.ids["policy_bad"] = bad["Policy"]["Arn"]
    iam.create_user(UserName="assay-good-user")
    iam.create_login_profile(UserName="assay-good-user", Password="Initial-Pa55word!")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="assay-good-user")
    iam.enable_mfa_device(UserName="assay-good-user",
                          SerialNumber=mfa["VirtualMFADevice"]["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_user(UserName="assay-bad-user")
    iam.create_login_profile(UserName="assay-bad-user", Password="Initial-Pa55word!")
    iam.create_access_key(UserName="assay-bad-user")
    iam.attach_user_policy(UserName="assay-bad-user", PolicyArn=estate.ids["policy_bad"])
    iam.put_user_policy(UserName="assay-bad-user", PolicyName="inline-admin",
                        PolicyDocument=json.dumps(ADMIN_POLICY))
    iam.create_group(GroupName="assay-good-readers")
    iam.attach_group_policy(GroupName="assay-good-readers", PolicyArn=estate.ids["policy_good"])
    iam.create_role(RoleName="assay-good-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="assay-good-role", PolicyArn=estate.ids["policy_good"])


def _s3(estate: Estate, region: str) -> None:
    s3 = estate.client("s3", region)
    location = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    good, bad = f"assay-good-{region}", f"assay-bad-{region}"
    s3.create_bucket(Bucket=good, ObjectLockEnabledForBucket=True, **location)
    s3.create_bucket(Bucket=bad, **location)
    s3.put_object_lock_configuration(Bucket=good, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    s3.put_bucket_encryption(Bucket=good, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_public_access_block(Bucket=good, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_versioning(Bucket=good, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_acl(Bucket=good, GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                      GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
    s3.put_bucket_logging(Bucket=good, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": good, "TargetPrefix": "logs/"}})
    s3.put_bucket_policy(Bucket=good, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{good}", f"arn:aws:s3:::{good}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    # Secrets planted where they leak in real estates: tags; the collector must redact them.
    s3.put_bucket_tagging(Bucket=bad, Tagging={"TagSet": [
        {"Key": "DbPassword", "Value": PLANTED_PASSWORD},
        {"Key": "deploy_key", "Value": PLANTED_PEM}]})


def _kms(estate: Estate, region: str) -> None:
    kms = estate.client("kms", region)
    good = kms.create_key(Description="assay-good-key")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=good["KeyId"])
    bad = kms.create_key(Description="assay-bad-key")["KeyMetadata"]
    estate.ids[f"key_good_{region}"] = good["Arn"]
    estate.ids[f"key_bad_{region}"] = bad["Arn"]


def _ec2(estate: Estate, region: str) -> None:
    ec2 = estate.client("ec2", region)
    vpc_good = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    vpc_bad = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_flow_logs(ResourceIds=[vpc_good], ResourceType="VPC", TrafficType="ALL",
                         LogDestinationType="s3",
                         LogDestination=f"arn:aws:s3:::assay-good-{region}")
    estate.ids[f"vpc_good_{region}"], estate.ids[f"vpc_bad_{region}"] = vpc_good, vpc_bad
    good = ec2.create_security_group(GroupName="assay-good-sg", Description="https only",
                                     VpcId=vpc_good)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=good, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    bad = ec2.create_security_group(GroupName="assay-bad-sg", Description="ssh open",
                                    VpcId=vpc_bad)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=bad, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    estate.ids[f"sg_good_{region}"], estate.ids[f"sg_bad_{region}"] = good, bad
    zone = f"{region}a"
    estate.ids[f"vol_good_{region}"] = ec2.create_volume(
        AvailabilityZone=zone, Size=8, Encrypted=True,
        KmsKeyId=estate.ids[f"key_good_{region}"])["VolumeId"]
    estate.ids[f"vol_bad_{region}"] = ec2.create_volume(AvailabilityZone=zone, Size=8)["VolumeId"]
    if region == "us-east-1":
        ec2.enable_ebs_encryption_by_default()


def _logging(estate: Estate, region: str) -> None:
    logs = estate.client("logs", region)
    good, bad = f"/assay/good-{region}", f"/assay/bad-{region}"
    logs.create_log_group(logGroupName=good, kmsKeyId=estate.ids[f"key_good_{region}"])
    logs.put_retention_policy(logGroupName=good, retentionInDays=400)
    logs.create_log_group(logGroupName=bad)
    group_arn = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{good}:*"
    trail = estate.client("cloudtrail", region)
    estate.ids[f"trail_good_{region}"] = trail.create_trail(
        Name=f"assay-good-trail-{region}", S3BucketName=f"assay-good-{region}",
        IsMultiRegionTrail=True, EnableLogFileValidation=True,
        KmsKeyId=estate.ids[f"key_good_{region}"], CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/assay-good-role")["TrailARN"]
    trail.start_logging(Name=f"assay-good-trail-{region}")
    trail.put_event_selectors(TrailName=f"assay-good-trail-{region}", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    estate.ids[f"trail_bad_{region}"] = trail.create_trail(
        Name=f"assay-bad-trail-{region}", S3BucketName=f"assay-bad-{region}")["TrailARN"]


def _detection(estate: Estate, region: str) -> None:
    enabled = region == "us-east-1"
    if enabled:  # eu-west-1 has no recorder and no Security Hub at all
        config = estate.client("config", region)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/assay-good-role",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
        config.put_delivery_channel(DeliveryChannel={"name": "default",
                                                     "s3BucketName": f"assay-good-{region}"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        estate.client("securityhub", region).enable_security_hub()
    estate.client("guardduty", region).create_detector(Enable=enabled)


def _data(estate: Estate, region: str) -> None:
    key = estate.ids[f"key_good_{region}"]
    ddb = estate.client("dynamodb", region)
    schema: dict[str, Any] = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                              "AttributeDefinitions": [{"AttributeName": "id",
                                                        "AttributeType": "S"}],
                              "BillingMode": "PAY_PER_REQUEST"}
    ddb.create_table(TableName="assay-good-table", DeletionProtectionEnabled=True,
                     SSESpecification={"Enabled": True, "SSEType": "KMS",
                                       "KMSMasterKeyId": key}, **schema)
    ddb.update_continuous_backups(TableName="assay-good-table",
                                  PointInTimeRecoverySpecification={
                                      "PointInTimeRecoveryEnabled": True})
    ddb.create_table(TableName="assay-bad-table", **schema)
    sm = estate.client("secretsmanager", region)
    sm.create_secret(Name="assay-good-secret", SecretString="not-listed", KmsKeyId=key)
    sm.create_secret(Name="assay-bad-secret", SecretString="not-listed")
    efs = estate.client("efs", region)
    efs.create_file_system(CreationToken="assay-good-fs", Encrypted=True, KmsKeyId=key,
                           Tags=[{"Key": "Name", "Value": "assay-good-fs"}])
    efs.create_file_system(CreationToken="assay-bad-fs",
                           Tags=[{"Key": "Name", "Value": "assay-bad-fs"}])
    sns = estate.client("sns", region)
    sns.create_topic(Name="assay-good-topic", Attributes={"KmsMasterKeyId": key})
    sns.create_topic(Name="assay-bad-topic")
    sqs = estate.client("sqs", region)
    sqs.create_queue(QueueName="assay-good-queue", Attributes={"KmsMasterKeyId": key})
    sqs.create_queue(QueueName="assay-bad-queue", Attributes={"SqsManagedSseEnabled": "false"})


def _rds(estate: Estate, region: str) -> None:
    rds = estate.client("rds", region)
    rds.create_db_parameter_group(DBParameterGroupName="assay-good-pg",
                                  DBParameterGroupFamily="postgres16", Description="tls")
    rds.modify_db_parameter_group(DBParameterGroupName="assay-good-pg", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    rds.create_db_parameter_group(DBParameterGroupName="assay-bad-pg",
                                  DBParameterGroupFamily="postgres16", Description="no tls")
    common: dict[str, Any] = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres",
                              "MasterUsername": "admin", "MasterUserPassword": "Pa55word-db!",
                              "AllocatedStorage": 20}
    rds.create_db_instance(DBInstanceIdentifier="assay-good-db", StorageEncrypted=True,
                           KmsKeyId=estate.ids[f"key_good_{region}"], MultiAZ=True,
                           PubliclyAccessible=False, DeletionProtection=True,
                           BackupRetentionPeriod=14, DBParameterGroupName="assay-good-pg",
                           Tags=[{"Key": "Environment", "Value": "production"}], **common)
    rds.create_db_instance(DBInstanceIdentifier="assay-bad-db", PubliclyAccessible=True,
                           BackupRetentionPeriod=1, DBParameterGroupName="assay-bad-pg",
                           **common)


def _elbv2(estate: Estate, region: str) -> None:
    ec2 = estate.client("ec2", region)
    vpc = estate.ids[f"vpc_good_{region}"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{n}.0/24",
                                 AvailabilityZone=f"{region}{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"))]
    elb = estate.client("elbv2", region)
    target = elb.create_target_group(Name=f"assay-tg-{region}", Protocol="HTTP", Port=80,
                                     VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": target}]
    good = elb.create_load_balancer(Name="assay-good-alb", Subnets=subnets,
                                    Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(LoadBalancerArn=good, Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])
    estate.ids[f"listener_good_{region}"] = elb.create_listener(
        LoadBalancerArn=good, Protocol="HTTPS", Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=[{"CertificateArn": estate.client("acm", region).request_certificate(
            DomainName="good.example.com")["CertificateArn"]}],
        DefaultActions=forward)["Listeners"][0]["ListenerArn"]
    bad = elb.create_load_balancer(Name="assay-bad-alb", Subnets=subnets,
                                   Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    estate.ids[f"listener_bad_{region}"] = elb.create_listener(
        LoadBalancerArn=bad, Protocol="HTTP", Port=80,
        DefaultActions=forward)["Listeners"][0]["ListenerArn"]
    estate.ids[f"alb_good_{region}"], estate.ids[f"alb_bad_{region}"] = good, bad
