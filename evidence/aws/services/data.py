"""Data stores and messaging: DynamoDB tables, Secrets Manager secrets, EFS file
systems, SNS topics and SQS queues."""

from __future__ import annotations

from typing import Any

from evidence.aws.table import Lister
from evidence.aws.task import Task, put

TABLE, SECRET = "aws.dynamodb.table", "aws.secretsmanager.secret"
FILE_SYSTEM, TOPIC, QUEUE = "aws.efs.file_system", "aws.sns.topic", "aws.sqs.queue"


def _kms_ref(name: str, value: Any) -> dict[str, list[str]]:
    return {name: [value]} if isinstance(value, str) and value.startswith("arn:") else {}


def list_tables(task: Task) -> None:
    for name in task.items("dynamodb", "ListTables", "TableNames"):
        task.spawn(read_table, name)


def read_table(task: Task, name: str) -> None:
    found = task.call("dynamodb", "DescribeTable", {"TableName": name}, key=name) or {}
    table = dict(found.get("Table", {}))
    backups = task.detail("dynamodb", "DescribeContinuousBackups", {"TableName": name}, key=name)
    put(table, "ContinuousBackups",
        backups.get("ContinuousBackupsDescription") if isinstance(backups, dict) else backups)
    key = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    task.emit(TABLE, table["TableArn"], table, refs=_kms_ref("KMSMasterKeyArn", key))


def list_secrets(task: Task) -> None:
    for secret in task.items("secretsmanager", "ListSecrets", "SecretList"):
        task.emit(SECRET, secret["ARN"], secret, refs=_kms_ref("KmsKeyId", secret.get("KmsKeyId")))


def list_file_systems(task: Task) -> None:
    for fs in task.items("efs", "DescribeFileSystems", "FileSystems"):
        arn = fs.get("FileSystemArn") or (
            f"arn:aws:elasticfilesystem:{task.region}:{task.account.account}:"
            f"file-system/{fs['FileSystemId']}")
        task.emit(FILE_SYSTEM, arn, fs, refs=_kms_ref("KmsKeyId", fs.get("KmsKeyId")))


def list_topics(task: Task) -> None:
    for topic in task.items("sns", "ListTopics", "Topics"):
        task.spawn(read_topic, topic["TopicArn"])


def read_topic(task: Task, arn: str) -> None:
    found = task.detail("sns", "GetTopicAttributes", {"TopicArn": arn}, key=arn.rsplit(":", 1)[-1])
    attributes = found.get("Attributes", {}) if isinstance(found, dict) else found
    task.emit(TOPIC, arn, {"TopicArn": arn, "Attributes": attributes})


def list_queues(task: Task) -> None:
    for url in task.items("sqs", "ListQueues", "QueueUrls"):
        task.spawn(read_queue, url)


def read_queue(task: Task, url: str) -> None:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    found = task.call("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]},
                      key=name) or {}
    attributes = found.get("Attributes", {})
    arn = attributes.get("QueueArn") or f"arn:aws:sqs:{task.region}:{task.account.account}:{name}"
    task.emit(QUEUE, arn, {"QueueUrl": url, "Attributes": attributes})


LISTERS = [
    Lister("dynamodb", (TABLE,), "regional", list_tables,
           ("ListTables", "DescribeTable", "DescribeContinuousBackups")),
    Lister("secretsmanager", (SECRET,), "regional", list_secrets, ("ListSecrets",)),
    Lister("efs", (FILE_SYSTEM,), "regional", list_file_systems, ("DescribeFileSystems",)),
    Lister("sns", (TOPIC,), "regional", list_topics, ("ListTopics", "GetTopicAttributes")),
    Lister("sqs", (QUEUE,), "regional", list_queues, ("ListQueues", "GetQueueAttributes")),
]
