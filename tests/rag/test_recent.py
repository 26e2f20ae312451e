"""rag.recent: the bounded map of recent values behind the sentence vectors and translations kept."""

from __future__ import annotations

import threading

import pytest

from rag.recent import Recent


def test_it_keeps_the_most_recently_used_and_forgets_the_rest():
    recent: Recent[str, int] = Recent(3)
    recent.keep({"a": 1, "b": 2, "c": 3})
    assert recent.found(["a", "zz"]) == {"a": 1}  # "a" is now the most recent
    recent.keep({"d": 4})
    assert recent.found(["a", "b", "c", "d"]) == {"a": 1, "c": 3, "d": 4}
    recent.keep({"c": 30})  # kept again: replaced, and the most recent
    assert len(recent) == 3 and recent.found(["c"]) == {"c": 30}


def test_values_makes_only_the_missing_keys_in_one_call_and_keeps_them():
    recent: Recent[str, str] = Recent(10)
    recent.keep({"a": "A"})
    calls = []

    def make(keys):
        calls.append(list(keys))
        return [key.upper() for key in keys]

    assert recent.values(["b", "a", "c", "b"], make) == ["B", "A", "C", "B"]
    assert calls == [["b", "c"]]  # one call, each missing key once, "a" held already
    assert recent.values(["c", "a"], make) == ["C", "A"] and len(calls) == 1
    assert recent.values([], make) == [] and len(calls) == 1


def test_it_holds_one_value_at_least():
    with pytest.raises(ValueError):
        Recent(0)


def test_many_threads_filling_and_reading_it_at_once_never_see_a_wrong_value_nor_outgrow_it():
    recent: Recent[int, int] = Recent(500)
    wrong, failures = [], []

    def work(k: int) -> None:
        try:
            for n in range(3000):
                keys = [(n * 7 + k * 131 + j) % 2000 for j in range(5)]
                found = recent.found(keys)
                wrong.extend(key for key, value in found.items() if value != key * key)
                recent.keep({key: key * key for key in keys if key not in found})
                if len(recent) > 500:
                    wrong.append(("size", len(recent)))
        except Exception as exc:  # noqa: BLE001 — a RuntimeError from a dict changed while iterated is the failure
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures and not wrong
    assert len(recent) == 500
