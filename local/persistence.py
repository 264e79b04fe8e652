"""The local runtime's state on disk: saved every few seconds and on stop, restored on start.

What is kept in the data folder: the table's items (``items.jsonl``, a snapshot, and
``journal-<generation>.jsonl``, the items written since), the media bucket's objects (under
``objects/``), and in ``state.json`` the Cognito users (with their ``sub``, groups and
passwords, so sign-in works after a restart), the secrets, and the messages still on the queues
(unprocessed work, the dead-letter queues included). Not kept: Step Functions executions that
were waiting (a delayed retry or an auto-deletion timer in progress is lost), and what the
channel simulator showed.

A save appends the items written since the last one to the journal (the table's sorted
partitions note every write, ``dynamodb_indexes.TableState.changed``), so it costs what changed,
not what is stored: saving every few seconds stays cheap at 100,000 conversations. Once the
journal is larger than the snapshot, the snapshot is written again (one item per line, never
the whole table in memory at once) under the next generation, and the old journal removed; a
start reads the snapshot and replays its generation's journal.

Secrets and bucket objects go through the AWS APIs against moto. The table, the users and the
queued messages are read from and written to moto's in-process backends: the APIs cannot read a
user's password or a message without receiving it, and restoring tens of thousands of items
through BatchWriteItem would take minutes.

Files are written to a temporary name and renamed, and the journal is flushed to disk on every
save, so a crash mid-write leaves the previous save in place; a kill -9 loses what changed since
the last save (``SAVE_INTERVAL_SECONDS``).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import boto3
from moto.cognitoidp.models import CognitoIdpUser, cognitoidp_backends
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.sqs.models import sqs_backends

from .dynamodb_indexes import _get_item, state_of
from .provision import LocalResources

log = logging.getLogger("local.persistence")

FORMAT_VERSION = 2
STATE_FILE = "state.json"
ITEMS_FILE = "items.jsonl"
OBJECTS_DIR = "objects"
SAVE_INTERVAL_SECONDS = 5.0
# The journal is folded into a new snapshot once it is this much larger than the snapshot.
COMPACT_RATIO = 1.0
COMPACT_MIN_BYTES = 1_000_000
# Saved at least this often even when the table did not change (users, secrets, objects).
FULL_SAVE_SECONDS = 60.0


def _attributes(item: Item | None) -> dict[str, Any] | None:
    return item.to_json()["Attributes"] if item is not None else None


def _bytes_as_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"not serialisable: {type(value).__name__}")


Key = tuple[DynamoType, DynamoType | None]


class ItemFiles:
    """The table's items on disk: a snapshot of one generation and the journal written since."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.generation = 0

    @property
    def snapshot(self) -> Path:
        return self.data_dir / ITEMS_FILE

    def journal(self, generation: int | None = None) -> Path:
        return self.data_dir / f"journal-{self.generation if generation is None else generation}.jsonl"

    def exists(self) -> bool:
        return self.snapshot.is_file()

    def snapshot_generation(self) -> int:
        with self.snapshot.open() as lines:
            return int(json.loads(next(lines))["generation"])

    def read(self) -> Iterator[dict[str, Any]]:
        """Every item, as the snapshot and then its generation's journal leave it (the journal's
        later lines win)."""
        items: dict[str, dict[str, Any]] = {}
        with self.snapshot.open() as lines:
            self.generation = int(json.loads(next(lines))["generation"])
            for line in lines:
                entry = json.loads(line)
                items[entry["key"]] = entry["item"]
        if self.journal().is_file():
            with self.journal().open() as lines:
                for line in lines:
                    if not line.endswith("\n"):
                        break  # the last line of a save cut short by a crash
                    entry = json.loads(line)
                    if entry.get("item") is None:
                        items.pop(entry["key"], None)
                    else:
                        items[entry["key"]] = entry["item"]
        for stale in self.data_dir.glob("journal-*.jsonl"):
            if stale != self.journal():
                stale.unlink()
        yield from items.values()

    def append(self, entries: list[tuple[str, dict[str, Any] | None]]) -> None:
        """Items written since the last save (None: deleted), to the journal, on disk when this returns."""
        with self.journal().open("a") as journal:
            for key, item in entries:
                journal.write(json.dumps({"key": key, "item": item}, default=_bytes_as_text) + "\n")
            journal.flush()
            os.fsync(journal.fileno())

    def needs_compaction(self) -> bool:
        journal = self.journal()
        if not journal.is_file():
            return False
        size = journal.stat().st_size
        return size > COMPACT_MIN_BYTES and size > COMPACT_RATIO * self.snapshot.stat().st_size

    def write_snapshot(self, items: Iterator[tuple[str, dict[str, Any]]]) -> None:
        """Every item, under the next generation; the old journal goes once the snapshot is in place."""
        old = self.journal()
        generation = self.generation + 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.snapshot.with_suffix(".tmp")
        with temporary.open("w") as output:
            output.write(json.dumps({"generation": generation}) + "\n")
            for key, item in items:
                output.write(json.dumps({"key": key, "item": item}, default=_bytes_as_text) + "\n")
            output.flush()
            os.fsync(output.fileno())
        temporary.replace(self.snapshot)
        self.generation = generation
        old.unlink(missing_ok=True)


def key_text(key: Key) -> str:
    return json.dumps([part.to_json() if part is not None else None for part in key], sort_keys=True)


LOCK_FILE = ".lock"


class DataDirInUse(RuntimeError):
    """Another local runtime (or a bulk load) holds this data folder."""


def claim_data_dir(data_dir: Path) -> IO[str]:
    """Hold ``data_dir`` for this process until the returned file is closed (or the process ends, however
    it ends: the lock is the kernel's). Two runtimes saving into one folder would each overwrite the
    other's journal, and a bulk load into a running runtime's folder would be lost at its next save."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise DataDirInUse(f"{data_dir} is in use by another local runtime (pid {holder}): stop it, or give this one "
                           "a folder of its own with --data-dir DIR") from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


class StateKeeper:
    """Saves and restores one installation's state (``resources``) in ``data_dir``."""

    def __init__(self, data_dir: Path, resources: LocalResources, *,
                 interval_seconds: float = SAVE_INTERVAL_SECONDS) -> None:
        self.data_dir = data_dir
        self.resources = resources
        self.interval_seconds = interval_seconds
        self.items = ItemFiles(data_dir)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._saved_version: tuple[int, int] | None = None
        self._saved_at = 0.0
        self._saved_objects: dict[str, dict[str, Any]] = {}
        self._clients: dict[str, Any] = {}
        state = state_of(self._table())
        with state.lock:
            if state.changed is None:
                state.changed = set()  # from now on every write is noted for the journal

    @property
    def state_file(self) -> Path:
        return self.data_dir / STATE_FILE

    def has_state(self) -> bool:
        return self.state_file.is_file()

    def forget(self) -> None:
        """Start empty (--fresh): the saved state goes."""
        for path in [self.state_file, self.items.snapshot, *self.data_dir.glob("journal-*.jsonl")]:
            path.unlink(missing_ok=True)

    # --- saving --------------------------------------------------------------------------------

    def start_saving(self) -> None:
        self._thread = threading.Thread(target=self._save_periodically, name="state-saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop saving periodically, then save once more (the caller has stopped the writers)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.save(compact=False)

    def _version(self) -> tuple[int, int]:
        """Changes when the table or a queue changes (cheap enough to read every few seconds)."""
        backend = sqs_backends[DEFAULT_ACCOUNT_ID][self.resources.region]
        return state_of(self._table()).writes, sum(len(q._messages) for q in list(backend.queues.values()))

    def _save_periodically(self) -> None:
        while not self._stopped.wait(self.interval_seconds):
            if self._version() == self._saved_version and time.monotonic() - self._saved_at < FULL_SAVE_SECONDS:
                continue
            try:
                self.save()
            except Exception:
                log.exception("saving the local state failed; trying again in %s s", self.interval_seconds)

    def save(self, *, compact: bool = True) -> None:
        with self._save_lock:
            started = time.monotonic()
            version = self._version()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._save_items(compact=compact)
            state = {
                "version": FORMAT_VERSION,
                "saved_at": time.time(),
                "items_generation": self.items.generation,
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
            log.debug("state saved in %.2f s", time.monotonic() - started)

    def _table(self) -> Any:
        return dynamodb_backends[DEFAULT_ACCOUNT_ID][self.resources.region].get_table(self.resources.table_name)

    def _save_items(self, *, compact: bool) -> None:
        """The items written since the last save into the journal, or every item into a new
        snapshot when there is none yet or the journal has outgrown it."""
        table = self._table()
        state = state_of(table)
        with state.lock:
            changed, state.changed = state.changed or set(), set()
        if not self.items.exists() or (compact and self.items.needs_compaction()):
            self.items.write_snapshot(self._all_items(table))
            return
        try:
            # Items are never changed in place once stored: each is read as it is now.
            self.items.append([(key_text(key), _attributes(_get_item(table, *key))) for key in changed])
        except BaseException:
            with state.lock:
                state.changed = (state.changed or set()) | changed  # saved next time
            raise

    @staticmethod
    def _all_items(table: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        with state_of(table).lock:  # a consistent list of items; items are never changed in place
            stored = [item for partition in table.items.values()
                      for item in (partition.values() if isinstance(partition, dict) else [partition])]
        for item in stored:
            yield key_text((item.hash_key, item.range_key)), item.to_json()["Attributes"]

    def _pool(self) -> Any:
        backend = cognitoidp_backends[DEFAULT_ACCOUNT_ID][self.resources.region]
        return backend.user_pools[self.resources.user_pool_id]

    def _users(self) -> list[dict[str, Any]]:
        return [{"id": user.id, "username": user.username, "password": user.password, "status": user.status,
                 "enabled": user.enabled, "attributes": user.attributes,
                 "groups": sorted(group.group_name for group in user.groups)}
                for user in list(self._pool().users.values())]

    def _client(self, service: str) -> Any:
        # Made once: creating a client costs tens of milliseconds, and a save runs every few seconds.
        if service not in self._clients:
            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service, endpoint_url=self.resources.endpoint_url, region_name=self.resources.region)
        return self._clients[service]

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
                known = self._saved_objects.get(name)
                if known is None:  # new or changed since the last save
                    head = s3.head_object(Bucket=self.resources.media_bucket, Key=entry["Key"])
                    if not (folder / name).is_file():
                        body = s3.get_object(Bucket=self.resources.media_bucket, Key=entry["Key"])["Body"].read()
                        (folder / name).write_bytes(body)
                    known = {"key": entry["Key"], "file": name, "content_type": head.get("ContentType"),
                             "metadata": head.get("Metadata", {})}
                saved.append(known)
        self._saved_objects = {entry["file"]: entry for entry in saved}
        kept = set(self._saved_objects)
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
        if state.get("version") not in {1, FORMAT_VERSION}:
            raise ValueError(f"{self.state_file} has format {state.get('version')}, not {FORMAT_VERSION}: "
                             "start with --fresh (or remove the data folder)")
        table = self._table()
        # Format 1 kept the items in state.json; the first save writes them as a snapshot.
        items = self.items.read() if self.items.exists() else iter(state.get("items", []))
        count = 0
        for attributes in items:
            table.put_item(attributes)
            count += 1
        with state_of(table).lock:
            state_of(table).changed = set()  # what was just read is saved already
        self._restore_users(state["users"])
        secrets = self._client("secretsmanager")
        for secret in state["secrets"]:
            secrets.create_secret(Name=secret["name"], SecretString=secret["value"])
        s3 = self._client("s3")
        self._saved_objects = {entry["file"]: entry for entry in state["objects"]}
        for entry in state["objects"]:
            body = (self.data_dir / OBJECTS_DIR / entry["file"]).read_bytes()
            s3.put_object(Bucket=self.resources.media_bucket, Key=entry["key"], Body=body,
                          ContentType=entry.get("content_type") or "binary/octet-stream",
                          Metadata=entry.get("metadata") or {})
        restored_messages = self._restore_messages(state["messages"])
        return {"items": count, "users": len(state["users"]), "secrets": len(state["secrets"]),
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

