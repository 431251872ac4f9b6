"""Practice scoring on real data: the shipped routing model plays trainee on ../shared/data/routing/dev.csv.

Each labelled row becomes, at run time, a scenario whose answer key knows only the category: the row's top-level
label (a level-1 key, so any answer under that label is right). The seat's own routing loader
(RoutingAssistant.load on resources/) suggests for the row's title and body, exactly the text `route eval` gives
the model, and the top suggestion's category is the trainee's answer. The model suggests a top-level category and
the case form only takes a third-level one, so the trainee picks the first leaf of the city's tree under the
suggestion (the key's depth rule makes it right exactly when the suggestion is); with no suggestion the category
stays empty. Each attempt is scored with contract.practice.scoring.score_attempt.

Per-category accuracy is the share of attempts whose "category" skill is right, grouped by the key's (the true)
label. `operator-app route eval` reports the same thing as each label's recall (operator_app/routing/evaluate.py
`per_class`: right top-1 / rows of that true label, rounded to 4 places; a row with no suggestion counts as wrong).
The script computes route eval's table twice, in process with its code (`metrics(predict_all(...))`) and by running
the command itself (`operator-app route eval --model resources/routing --data CSV --json`; --no-cli skips it), and
exits 1 when any label's right count, row count or rounded accuracy differs: scoring must be exact.

Usage: python benchmarks/practice_scoring.py [--data CSV] [--no-cli] [--repeat 5]
Prints the side-by-side table on stderr and one JSON object on stdout; skipped (exit 0) when the data is absent.
The model was trained on these rows, so the accuracies are optimistic; what matters here is that both agree.
No text of the data is printed or written anywhere.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import REPO, emit, log

from contract.case_fields import CaseInput
from contract.city.loader import load_city
from contract.city.model import City
from contract.practice.scenario import AnswerKey, Line, Scenario
from contract.practice.scoring import Score, load_weights, score_attempt
from operator_app.routing.assistant import RoutingAssistant
from operator_app.routing.dataset import Example, read_examples
from operator_app.routing.evaluate import metrics, predict_all
from operator_app.routing.model import RoutingModel
from operator_app.routing.suggest import suggest

RESOURCES = REPO / "resources"
DEFAULT_DATA = REPO.parent / "shared" / "data" / "routing" / "dev.csv"


def build_scenario(index: int, example: Example) -> Scenario:
    """A scenario whose key asks only the category: the row's top-level label. The text stays in memory."""
    key = AnswerKey(category=example.label, appeal_type="", disposition="", urgency="")
    return Scenario(id=f"dev-{index}", title=f"dev.csv row {index}", lines=(Line(example.title or example.body),),
                    key=key, source="demo")


def trainee_answers(assistant: RoutingAssistant, examples: list[Example], city: City) -> list[CaseInput]:
    """The form a trainee who takes the top suggestion fills in; an empty category when there is none."""
    first_leaf: dict[str, str] = {}
    for leaf in city.categories.leaves:
        first_leaf.setdefault(leaf.split("/", 1)[0], leaf)
    answers = []
    for ex in examples:
        found = suggest(assistant.model, assistant.directory, assistant.gazetteer, title=ex.title, body=ex.body,
                        address="")
        top = found[0] if found else None
        answers.append(CaseInput(
            category=first_leaf.get(top.category, top.category) if top else "", content=ex.title or ex.body, disposition="dispatch",
            lead_department=(top.lead_department_id or "") if top else "",
            district=(top.district_id or "") if top else "",
        ))
    return answers


def scoring_table(scenarios: list[Scenario], scores: list[Score]) -> dict[str, dict[str, Any]]:
    rows: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for sc, score in zip(scenarios, scores, strict=True):
        field = score.field("category")
        assert field is not None
        rows[sc.key.category] += 1
        right[sc.key.category] += field.right
    return {label: {"right": right[label], "rows": rows[label], "accuracy": round(right[label] / rows[label], 4)}
            for label in sorted(rows)}


def eval_table(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """route eval's per-class recall, with the right counts read off its confusion matrix's diagonal."""
    labels = result["confusion"]["labels"]
    matrix = result["confusion"]["matrix"]
    out = {}
    for i, label in enumerate(labels):
        row = result["per_class"][label]
        out[label] = {"right": matrix[i][i], "rows": row["support"], "accuracy": row["recall"]}
    return {label: out[label] for label in sorted(out)}


def run_cli(data: Path) -> dict[str, Any]:
    code = "import sys; from ui.shell.main import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "route", "eval", "--model", str(RESOURCES / "routing"), "--data", str(data),
         "--json"], cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"operator-app route eval failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="id,title,body,label CSV (default: %(default)s)")
    parser.add_argument("--no-cli", action="store_true", help="skip running the operator-app route eval command")
    parser.add_argument("--repeat", type=int, default=5, help="timed scoring rounds (median reported)")
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_file():
        message = f"no routing data at {data} (the shared data folder is absent): benchmark skipped"
        log(message)
        print(json.dumps({"skipped": message}, ensure_ascii=False))
        return 0

    examples = read_examples(data)  # route eval's own reader: the same rows, the same labels
    city, weights = load_city(RESOURCES), load_weights(RESOURCES)
    not_in_tree = sorted({ex.label for ex in examples if not city.categories.has_prefix(ex.label)})
    assistant = RoutingAssistant.load(RESOURCES)
    log(f"{len(examples)} rows; model {assistant.model.version}; the trainee answers ...")
    started = time.perf_counter()
    answers = trainee_answers(assistant, examples, city)
    suggest_s = time.perf_counter() - started
    scenarios = [build_scenario(i, ex) for i, ex in enumerate(examples)]

    rounds: list[float] = []
    scores: list[Score] = []
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        scores = [score_attempt(sc, form, city, seconds=0.0, weights=weights) for sc, form in zip(
            scenarios, answers, strict=True)]
        rounds.append(time.perf_counter() - started)
    scoring = scoring_table(scenarios, scores)

    log("route eval's code on the same rows ...")
    model = RoutingModel.load(RESOURCES / "routing")
    evaluated = metrics(examples, predict_all(model, examples), model.labels)
    in_process = eval_table(evaluated)
    tables = {"route_eval_code": in_process}
    if not args.no_cli:
        log("operator-app route eval on the same rows ...")
        tables["route_eval_command"] = eval_table(run_cli(data))

    differences = []
    for name, table in tables.items():
        for label in sorted(set(scoring) | set(table)):
            if scoring.get(label) != table.get(label):
                differences.append({"label": label, "table": name, "scoring": scoring.get(label),
                                    "route_eval": table.get(label)})
    right = sum(row["right"] for row in scoring.values())
    overall = round(right / len(examples), 4)
    if overall != evaluated["top1"]:
        differences.append({"label": "(all)", "table": "route_eval_code", "scoring": overall,
                            "route_eval": evaluated["top1"]})

    log("")
    names = list(tables)
    log(f"{'rows':>7}{'scoring':>10}" + "".join(f"{name.removeprefix('route_eval_'):>10}" for name in names)
        + "  category (accuracy = right / rows of that true label)")
    for label, row in scoring.items():
        cells = [tables[name].get(label, {}).get("accuracy") for name in names]
        log(f"{row['rows']:>7}{row['accuracy']:>10.4f}" + "".join(
            f"{c:>10.4f}" if c is not None else f"{'-':>10}" for c in cells) + f"  {label}")
    log(f"{len(examples):>7}{overall:>10.4f}{evaluated['top1']:>10.4f}  (all rows; route eval top-1)")
    log("scoring and route eval " + ("AGREE" if not differences else f"DIFFER on {len(differences)} entries"))

    median_s = statistics.median(rounds)
    emit({
        "rows": len(examples),
        "model_version": assistant.model.version,
        "no_suggestion": sum(1 for form in answers if not form.category),
        "labels_not_in_city_tree": not_in_tree,
        "overall_accuracy": overall,
        "per_category": scoring,
        **{f"{name}_per_category": table for name, table in tables.items()},
        "route_eval_top1": evaluated["top1"],
        "equal": not differences,
        "differences": differences,
        "scoring_attempts_per_second": round(len(examples) / median_s),
        "scoring_round_seconds": {"median": round(median_s, 3), "min": round(min(rounds), 3),
                                  "max": round(max(rounds), 3), "rounds": len(rounds)},
        "suggest_seconds": round(suggest_s, 2),
        "note": "the shipped model was trained on these rows: the accuracies are optimistic; both must agree",
    })
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
