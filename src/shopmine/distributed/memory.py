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

from shopmine.errors import ShopmineError, ShopmineInputError, ShopmineRunError

__all__ = ["MEMORY_MARKERS", "MIN_DRIVER_BYTES", "check_driver_memory", "memory_error", "spark_memory_errors",
           "spark_start_errors"]

#: Spark's floor for the driver heap: 1.5 times the 300 MiB it reserves (``UnifiedMemoryManager``); below it
#: the SparkContext refuses to start, after the JVM has logged a stack trace.
MIN_DRIVER_BYTES = 450 * 1024 ** 2
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}

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
    except ShopmineError:
        raise
    except Exception as exc:
        clear = memory_error(exc, driver_memory)
        if clear is None:
            raise
        raise clear from exc


def check_driver_memory(driver_memory: str) -> int:
    """The size of ``driver_memory`` in bytes (Java's notation: ``512m``, ``4g``, ``1024k``); refused before
    any JVM starts when it is malformed or below :data:`MIN_DRIVER_BYTES`."""
    import re

    match = re.fullmatch(r"\s*(\d+)\s*([bkmgt]?)b?\s*", str(driver_memory).lower())
    if match is None:
        raise ShopmineInputError(f"the spark_driver_memory setting is {driver_memory!r}: give a size such as 2g "
                               "or 4096m (SHOPMINE_SPARK_DRIVER_MEMORY or spark_driver_memory in shopmine.toml).")
    size = int(match.group(1)) * _UNITS[match.group(2)]
    if size < MIN_DRIVER_BYTES:
        raise ShopmineInputError(
            f"the spark_driver_memory setting is {driver_memory}, below the 450m Spark needs to start (it keeps "
            "300 MiB for itself); raise it to 1g or more (SHOPMINE_SPARK_DRIVER_MEMORY or spark_driver_memory in "
            "shopmine.toml).")
    return size


@contextlib.contextmanager
def spark_start_errors(driver_memory: str) -> Iterator[None]:
    """Starting the Spark session: a heap below Spark's floor, or a JVM that would not start at all (a
    malformed memory size), become one clear error naming ``spark_driver_memory``."""
    from shopmine import engine

    if engine._SPARK_SESSION is None:  # a running session's heap is fixed already
        check_driver_memory(driver_memory)
    try:
        with spark_memory_errors(driver_memory):
            yield
    except ShopmineError:
        raise
    except Exception as exc:
        if "JAVA_GATEWAY_EXITED" not in str(exc) and "Java gateway process exited" not in str(exc):
            raise
        raise ShopmineRunError(
            f"the Spark driver JVM did not start: check the spark_driver_memory setting (now {driver_memory!r}; "
            "a size such as 2g or 4096m) and that Java 17 is installed (java on PATH or JAVA_HOME)") from exc
