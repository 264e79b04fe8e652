"""The local runtime's state on disk: saved every few seconds and on stop, restored on start.

What is kept (``<data dir>/state.json``, and the media bucket's objects under ``objects/``):
the table's items, the media bucket's objects, the Cognito users (with their ``sub``, groups and
passwords, so sign-in works after a restart), the secrets, and the messages still on the queues
(unprocessed work, the dead-letter queues included). Not kept: Step Functions executions that
were waiting (a delayed retry or an auto-deletion timer in progress is lost), and what the
channel simulator showed.

Secrets and bucket objects go through the AWS APIs against moto. The table, the users and the
queued messages are read from and written to moto's in-process backends: the APIs cannot read a
user's password or a message without receiving it, and restoring tens of thousands of items
through BatchWriteItem would take minutes.

The file is written to a temporary name and renamed, so a crash mid-write leaves the previous
save in place; a kill -9 loses what changed since the last save: ``SAVE_INTERVAL_SECONDS``, or
four times as long as a save takes once the table is large (a save of 20,000 items took 1.1 s
here, so at 20,000 items a kill -9 loses up to about 5 seconds, at 200,000 up to about 45).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from moto.cognitoidp.models import CognitoIdpUser, cognitoidp_backends
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.sqs.models import sqs_backends

from .dynamodb_indexes import state_of
from .provision import LocalResources

log = logging.getLogger("local.persistence")

FORMAT_VERSION = 1
STATE_FILE = "state.json"
OBJECTS_DIR = "objects"
SAVE_INTERVAL_SECONDS = 5.0
# Saved at least this often even when the table did not change (users, secrets, objects).
FULL_SAVE_SECONDS = 60.0


def _bytes_as_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"not serialisable: {type(value).__name__}")


class StateKeeper:
    """Saves and restores one installation's state (``resources``) in ``data_dir``."""

    def __init__(self, data_dir: Path, resources: LocalResources, *,
                 interval_seconds: float = SAVE_INTERVAL_SECONDS) -> None:
        self.data_dir = data_dir
        self.resources = resources
        self.interval_seconds = interval_seconds
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._saved_version: tuple[int, int] | None = None
        self._saved_at = 0.0
        self._last_duration = 0.0

    @property
    def state_file(self) -> Path:
        return self.data_dir / STATE_FILE

    def has_state(self) -> bool:
        return self.state_file.is_file()

    # --- saving --------------------------------------------------------------------------------

    def start_saving(self) -> None:
        self._thread = threading.Thread(target=self._save_periodically, name="state-saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop saving periodically, then save once more (the caller has stopped the writers)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.save()

    def _version(self) -> tuple[int, int]:
        """Changes when the table or a queue changes (cheap enough to read every few seconds)."""
        backend = sqs_backends[DEFAULT_ACCOUNT_ID][self.resources.region]
        return state_of(self._table()).writes, sum(len(q._messages) for q in list(backend.queues.values()))

    def _save_periodically(self) -> None:
        # A save of a big table takes a while: wait at least four times as long as the last one
        # took, so that saving never takes more than a fifth of the runtime's time.
        while not self._stopped.wait(max(self.interval_seconds, 4 * self._last_duration)):
            if self._version() == self._saved_version and time.monotonic() - self._saved_at < FULL_SAVE_SECONDS:
                continue
            try:
                self.save()
            except Exception:
                log.exception("saving the local state failed; trying again in %s s", self.interval_seconds)

    def save(self) -> None:
        with self._save_lock:
            started = time.monotonic()
            version = self._version()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            state = {
                "version": FORMAT_VERSION,
                "saved_at": time.time(),
                "items": list(self._items()),
                "users": self._users(),
                "secrets": self._secrets(),
                "objects": self._save_objects(),
                "messages": self._messages(),
            }
            temporary = self.state_file.with_suffix(".tmp")
            with temporary.open("w") as output:
                json.dump(state, output, default=_bytes_as_text)
                output.flush()
                os.fsync(output.fileno())
            temporary.replace(self.state_file)
            self._saved_version, self._saved_at = version, time.monotonic()
            self._last_duration = time.monotonic() - started
            log.debug("state saved in %.2f s", self._last_duration)

    def _table(self) -> Any:
        return dynamodb_backends[DEFAULT_ACCOUNT_ID][self.resources.region].get_table(self.resources.table_name)

    def _items(self) -> Iterator[dict[str, Any]]:
        table = self._table()
        with state_of(table).lock:  # a consistent list of items; items are never changed in place
            stored = [item for partition in table.items.values()
                      for item in (partition.values() if isinstance(partition, dict) else [partition])]
        for item in stored:
            yield item.to_json()["Attributes"]

    def _pool(self) -> Any:
        backend = cognitoidp_backends[DEFAULT_ACCOUNT_ID][self.resources.region]
        return backend.user_pools[self.resources.user_pool_id]

    def _users(self) -> list[dict[str, Any]]:
        return [{"id": user.id, "username": user.username, "password": user.password, "status": user.status,
                 "enabled": user.enabled, "attributes": user.attributes,
                 "groups": sorted(group.group_name for group in user.groups)}
                for user in list(self._pool().users.values())]

    def _client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.resources.endpoint_url,  # type: ignore[call-overload]
                            region_name=self.resources.region)

    def _secrets(self) -> list[dict[str, str]]:
        client = self._client("secretsmanager")
        names = [s["Name"] for page in client.get_paginator("list_secrets").paginate() for s in page["SecretList"]]
        return [{"name": name, "value": client.get_secret_value(SecretId=name)["SecretString"]} for name in names]

    def _save_objects(self) -> list[dict[str, Any]]:
        """The bucket's objects, each written once under the hash of its ETag and key."""
        s3 = self._client("s3")
        folder = self.data_dir / OBJECTS_DIR
        folder.mkdir(exist_ok=True)
        saved = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.resources.media_bucket):
            for entry in page.get("Contents", []):
                name = hashlib.sha256(f"{entry['Key']}\0{entry['ETag']}".encode()).hexdigest()
                head = s3.head_object(Bucket=self.resources.media_bucket, Key=entry["Key"])
                if not (folder / name).is_file():
                    body = s3.get_object(Bucket=self.resources.media_bucket, Key=entry["Key"])["Body"].read()
                    (folder / name).write_bytes(body)
                saved.append({"key": entry["Key"], "file": name, "content_type": head.get("ContentType"),
                              "metadata": head.get("Metadata", {})})
        kept = {entry["file"] for entry in saved}
        for stale in folder.iterdir():
            if stale.name not in kept:
                stale.unlink()
        return saved

    def _messages(self) -> dict[str, list[dict[str, Any]]]:
        """The messages on each queue (dead-letter queues too), by queue name."""
        backend = sqs_backends[DEFAULT_ACCOUNT_ID][self.resources.region]
        queues: dict[str, list[dict[str, Any]]] = {}
        for name, queue in list(backend.queues.items()):
            queues[name] = [{"body": m.body, "attributes": m.message_attributes, "group_id": m.group_id,
                             "deduplication_id": m.deduplication_id} for m in list(queue._messages)]
        return queues

    # --- restoring -----------------------------------------------------------------------------

    def restore(self) -> dict[str, int]:
        """Put the saved state into the freshly provisioned resources; returns what was restored."""
        state = json.loads(self.state_file.read_text())
        if state.get("version") != FORMAT_VERSION:
            raise ValueError(f"{self.state_file} has format {state.get('version')}, not {FORMAT_VERSION}: "
                             "start with --fresh (or remove the data folder)")
        table = self._table()
        for attributes in state["items"]:
            table.put_item(attributes)
        self._restore_users(state["users"])
        secrets = self._client("secretsmanager")
        for secret in state["secrets"]:
            secrets.create_secret(Name=secret["name"], SecretString=secret["value"])
        s3 = self._client("s3")
        for entry in state["objects"]:
            body = (self.data_dir / OBJECTS_DIR / entry["file"]).read_bytes()
            s3.put_object(Bucket=self.resources.media_bucket, Key=entry["key"], Body=body,
                          ContentType=entry.get("content_type") or "binary/octet-stream",
                          Metadata=entry.get("metadata") or {})
        restored_messages = self._restore_messages(state["messages"])
        return {"items": len(state["items"]), "users": len(state["users"]), "secrets": len(state["secrets"]),
                "objects": len(state["objects"]), "messages": restored_messages}

    def _restore_users(self, users: list[dict[str, Any]]) -> None:
        pool = self._pool()
        for saved in users:
            user = CognitoIdpUser(pool.id, saved["username"], saved["password"], saved["status"], saved["attributes"])
            user.id = saved["id"]
            user.enabled = saved["enabled"]
            user.update_attributes([{"Name": "sub", "Value": saved["id"]}])
            pool.users[user.username] = user
            for group_name in saved["groups"]:
                group = pool.groups[group_name]
                group.users.add(user)
                user.groups.add(group)

    def _restore_messages(self, queues: dict[str, list[dict[str, Any]]]) -> int:
        sqs = self._client("sqs")
        restored = 0
        for name, messages in queues.items():
            if not messages:
                continue
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            for message in messages:
                request: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["body"]}
                if message["attributes"]:
                    request["MessageAttributes"] = message["attributes"]
                if message["group_id"]:
                    request["MessageGroupId"] = message["group_id"]
                if message["deduplication_id"]:
                    request["MessageDeduplicationId"] = message["deduplication_id"]
                sqs.send_message(**request)
                restored += 1
        return restored

