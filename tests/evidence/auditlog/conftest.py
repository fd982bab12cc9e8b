"""A moto S3 server for the log collectors' s3:// tests (real botocore over HTTP)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def log_s3_endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in (*_CREDENTIALS, "AWS_PROFILE")}
    os.environ.update(_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
