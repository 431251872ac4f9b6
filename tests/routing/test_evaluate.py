"""Metrics: accuracy at coverage and the calibration error of the shown confidence."""

from __future__ import annotations

import numpy as np

from operator_app.routing.evaluate import accuracy_at_coverage, calibration_error


def test_calibration_error_is_zero_for_honest_confidence_and_large_for_overconfidence() -> None:
    hits = np.array([True] * 7 + [False] * 3)
    assert calibration_error(hits, np.full(10, 0.7)) == 0.0
    assert calibration_error(hits, np.full(10, 1.0)) == 0.3
    assert calibration_error(np.array([], dtype=bool), np.array([])) == 0.0


def test_accuracy_at_coverage_keeps_the_most_confident_cases() -> None:
    hits = np.array([True, True, False, False])
    confidence = np.array([0.9, 0.8, 0.3, 0.2])
    assert accuracy_at_coverage(hits, confidence, 0.5) == 1.0
    assert accuracy_at_coverage(hits, confidence, 1.0) == 0.5
