"""The with/without-vectors comparison behind benchmarks/routing_quality.py --vectors: vectors that carry the label
must win through the blend, vectors of noise must not be given weight, rows without a vector only teach the
lexical ensemble."""

from __future__ import annotations

import numpy as np
import pytest

from operator_app.routing.dataset import read_examples
from operator_app.routing.vector_eval import compare_with_vectors

from .helpers import DEV_CSV

pytestmark = pytest.mark.skipif(not DEV_CSV.is_file(), reason="no shared routing data (../shared/data)")
ROWS = 450


def run(informative: bool) -> dict:  # type: ignore[type-arg]
    examples = read_examples(DEV_CSV)[:ROWS]
    labels = sorted({ex.label for ex in examples})
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(len(labels), 384))
    noise = rng.normal(size=(len(examples), 384))
    vectors = noise + (np.array([centres[labels.index(ex.label)] for ex in examples]) if informative else 0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    have = np.ones(len(examples), dtype=bool)
    have[::7] = False
    return compare_with_vectors(examples, vectors.astype(np.float32), have, log=lambda _line: None)


def test_vectors_that_carry_the_label_win_and_noise_gets_no_weight() -> None:
    good, bad = run(True), run(False)
    rows = good["rows"]
    assert rows["vector_train"] < rows["ensemble_train"]  # rows without a vector teach the ensemble only
    assert rows["vector_train"] + rows["held_out"] <= ROWS - len(range(0, ROWS, 7))
    blended = next(v for k, v in good.items() if k.startswith("ensemble + e5"))
    plain = good["ensemble (shipped recipe, no vectors)"]
    assert good["e5 logistic alone"]["top1"] > 0.95 and blended["top1"] > plain["top1"]
    assert good["chosen_on_validation"]["blend_weight"] > 0
    assert good["char TF-IDF + e5 concatenated, LinearSVC"]["top1"] > good["char TF-IDF + LinearSVC (issue's reference)"]["top1"]
    assert bad["e5 logistic alone"]["top1"] < 0.6
    assert bad["chosen_on_validation"]["blend_weight"] <= 0.2
    noisy = next(v for k, v in bad.items() if k.startswith("ensemble + e5"))
    assert noisy["top1"] >= bad["ensemble (shipped recipe, no vectors)"]["top1"] - 0.03
