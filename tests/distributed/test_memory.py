"""Spark's memory failures become one error naming spark_driver_memory (no Spark needed here: the texts are
Spark's own)."""

from __future__ import annotations

import pytest

from shopmine.distributed.memory import MIN_DRIVER_BYTES, check_driver_memory, memory_error, spark_memory_errors
from shopmine.errors import ShopmineInputError, ShopmineRunError


@pytest.mark.parametrize("text,size", [("4g", 4 * 1024 ** 3), ("640m", 640 * 1024 ** 2), ("512M", 512 * 1024 ** 2),
                                       ("460800k", 460800 * 1024), ("1G", 1024 ** 3)])
def test_driver_memory_sizes_in_javas_notation(text, size):
    assert check_driver_memory(text) == size


def test_a_heap_below_sparks_floor_is_refused_naming_the_setting():
    assert MIN_DRIVER_BYTES == 471859200  # Spark: "System memory ... must be at least 471859200"
    with pytest.raises(ShopmineInputError, match=r"spark_driver_memory setting is 64m, below the 450m"):
        check_driver_memory("64m")
    with pytest.raises(ShopmineInputError, match=r"spark_driver_memory setting is '4x': give a size"):
        check_driver_memory("4x")


def test_a_jvm_out_of_memory_names_the_setting_and_its_value():
    failure = RuntimeError("An error occurred while calling o123.parquet.\n: org.apache.spark.SparkException: Job "
                           "aborted.\nCaused by: java.lang.OutOfMemoryError: Java heap space\n\tat java.base/...")
    error = memory_error(failure, "640m")
    assert isinstance(error, ShopmineRunError)
    assert "raise the spark_driver_memory setting (now 640m" in str(error)
    assert "java.lang.OutOfMemoryError: Java heap space" in str(error) and "\n" not in str(error)
    with pytest.raises(ShopmineRunError, match="spark_driver_memory"), spark_memory_errors("640m"):
        raise failure


def test_a_driver_gone_is_told_as_memory_and_other_failures_pass_through():
    gone = ConnectionRefusedError("[Errno 111] Connection refused")
    assert "stopped answering" in str(memory_error(gone, "1g"))
    with pytest.raises(KeyError), spark_memory_errors("1g"):
        raise KeyError("customer_id")
