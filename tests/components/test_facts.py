"""The AWS facts the program relies on (components/facts.py), pinned against their sources' tables."""

from __future__ import annotations

from components.facts import FARGATE_SIZES, LOG_RETENTION_DAYS, MONITORING_INTERVALS, fargate_memory_options, \
    performance_insights_supported

#: ECS Developer Guide, "Task CPU and memory": every Linux size, with its memory (MiB). A new Fargate size is a
#: row in FARGATE_SIZES and a row here.
FARGATE_TABLE = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16 * 1024, 60 * 1024 + 1, 4 * 1024)),
    16384: tuple(range(32 * 1024, 120 * 1024 + 1, 8 * 1024)),
}


def test_fargate_table_matches_aws():
    assert FARGATE_SIZES == FARGATE_TABLE
    assert all(fargate_memory_options(cpu) == memory for cpu, memory in FARGATE_TABLE.items())
    assert fargate_memory_options(300) == ()


def test_log_retention_values_are_cloudwatch_logs_own():
    assert LOG_RETENTION_DAYS == (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                                  2192, 2557, 2922, 3288, 3653)


def test_monitoring_intervals_are_rds_own():
    assert MONITORING_INTERVALS == (0, 1, 5, 10, 15, 30, 60)


def test_performance_insights_is_off_for_smallest_burstable_classes():
    assert not performance_insights_supported("db.t4g.micro")
    assert not performance_insights_supported("db.t4g.small")
    assert performance_insights_supported("db.t4g.medium")
    assert performance_insights_supported("db.m7g.large")
