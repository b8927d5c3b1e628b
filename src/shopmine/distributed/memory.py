"""Spark's memory failures as one clear error naming the setting to raise, never a JVM traceback.

A Spark job that runs out of heap fails with a ``Py4JJavaError`` (or a ``pyspark`` exception) whose
text holds the JVM's ``java.lang.OutOfMemoryError``; a driver that dies of it leaves a Python process
whose next call cannot reach the JVM; a driver heap below Spark's floor refuses to start ("System
memory ... must be at least ..."). Each becomes a :class:`~shopmine.errors.ShopmineRunError` that says
which setting to raise and what it is now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from shopmine.errors import ShopmineRunError

__all__ = ["MEMORY_MARKERS", "memory_error", "spark_memory_errors"]

#: Texts of the JVM's and Spark's out-of-memory failures.
MEMORY_MARKERS = ("OutOfMemoryError", "Java heap space", "GC overhead limit exceeded",
                  "must be at least", "Not enough memory to build and broadcast",
                  "spark.driver.maxResultSize")
#: Texts of a driver JVM that has gone (killed, most often for memory, while Python still runs).
GONE_MARKERS = ("Answer from Java side is empty", "Connection refused", "Error while sending or receiving",
                "SparkContext was shut down", "Cannot call methods on a stopped SparkContext")


def _setting_now() -> str:
    """The driver memory the running session was given (or the JVM's default when none runs)."""
    from shopmine import engine

    session = engine._SPARK_SESSION
    try:
        return session.sparkContext.getConf().get("spark.driver.memory", "1g") if session else "unknown"
    except Exception:  # the JVM has gone: its configuration cannot be read any more
        return "unknown"


def memory_error(exc: BaseException, driver_memory: str | None = None) -> ShopmineRunError | None:
    """The clear error for ``exc`` when it is a Spark memory failure, else None."""
    text = f"{type(exc).__name__}: {exc}"
    memory = any(marker in text for marker in MEMORY_MARKERS)
    gone = any(marker in text for marker in GONE_MARKERS)
    if not (memory or gone):
        return None
    now = driver_memory or _setting_now()
    what = ("Spark ran out of memory" if memory else
            "the Spark driver stopped answering (its JVM most often dies of memory)")
    return ShopmineRunError(
        f"{what}: raise the spark_driver_memory setting (now {now}; SHOPMINE_SPARK_DRIVER_MEMORY or "
        "spark_driver_memory in shopmine.toml), and on a cluster the executors' memory (spark.executor.memory); "
        f"Spark said: {_first_line(text)}")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if any(marker in line for marker in MEMORY_MARKERS + GONE_MARKERS):
            return line.strip()[:300]
    return text.strip().splitlines()[0][:300] if text.strip() else ""


@contextlib.contextmanager
def spark_memory_errors(driver_memory: str | None = None) -> Iterator[None]:
    """Turn a Spark memory failure inside the block into :func:`memory_error`'s error."""
    try:
        yield
    except ShopmineRunError:
        raise
    except Exception as exc:
        clear = memory_error(exc, driver_memory)
        if clear is None:
            raise
        raise clear from exc
