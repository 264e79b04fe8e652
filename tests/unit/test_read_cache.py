"""The per-container cache of administrators' settings: a value lives for its max age, a write in
this process drops it at once, and a read that raced with a write never puts the old value back."""

from chalicelib.adapters.read_cache import MAX_AGE_SECONDS, ReadCache, clear_all


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_read_once_per_max_age() -> None:
    # Given a cache in front of a table that counts its reads
    clock, reads = Clock(), []
    cache: ReadCache[str, str | None] = ReadCache("test", clock=clock)

    def load() -> str:
        reads.append(clock.now)
        return f"enabled at {clock.now}"

    # When the same key is read for a minute
    first = cache.get("wa-demo", load)
    clock.now += MAX_AGE_SECONDS - 1
    second = cache.get("wa-demo", load)
    # Then the table was read once
    assert first == second
    assert len(reads) == 1
    # And once the max age has passed, the next read goes to the table
    clock.now += 1
    assert cache.get("wa-demo", load) == f"enabled at {clock.now}"
    assert len(reads) == 2


def test_a_missing_item_is_cached_too_and_keys_are_separate() -> None:
    clock = Clock()
    cache: ReadCache[str, str | None] = ReadCache("test", clock=clock)
    reads: list[str] = []

    def load(key: str) -> str | None:
        reads.append(key)
        return None if key == "gone" else key

    assert cache.get("gone", lambda: load("gone")) is None
    assert cache.get("gone", lambda: load("gone")) is None
    assert cache.get("other", lambda: load("other")) == "other"
    assert reads == ["gone", "other"]


def test_invalidating_a_key_or_everything_reads_again() -> None:
    clock = Clock()
    cache: ReadCache[str, int] = ReadCache("test", clock=clock)
    values = iter(range(10))
    assert cache.get("a", lambda: next(values)) == 0
    assert cache.get("b", lambda: next(values)) == 1
    cache.invalidate("a")
    assert cache.get("a", lambda: next(values)) == 2
    assert cache.get("b", lambda: next(values)) == 1
    clear_all()
    assert cache.get("b", lambda: next(values)) == 3


def test_a_read_that_started_before_a_write_does_not_cache_the_old_value() -> None:
    # Given a read that is slow, and a write (with its invalidation) that lands meanwhile
    clock = Clock()
    cache: ReadCache[str, str] = ReadCache("test", clock=clock)
    table = {"settings": "old"}

    def slow_load() -> str:
        value = table["settings"]
        table["settings"] = "new"
        cache.invalidate("settings")  # the administrator's write, in another thread
        return value

    # When the read finishes
    assert cache.get("settings", slow_load) == "old"
    # Then the next read sees the write, not the value the slow read brought back
    assert cache.get("settings", lambda: table["settings"]) == "new"
