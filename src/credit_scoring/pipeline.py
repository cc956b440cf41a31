"""Run the analysis notebooks in order with Papermill.

Raw data → features → model → explanations → report.

Each notebook declares its parameters in a cell tagged ``parameters``. The pipeline passes every
notebook the absolute ``data_dir`` and ``artifacts_dir`` plus those of the caller's parameters that
the notebook declares; a parameter no selected notebook declares is an error (a typo must not be
silently ignored). Executed copies (with outputs) are kept in ``<artifacts>/report/`` as the run's
report, with an HTML export.

``manifest.json`` is the run's completion marker: the pipeline deletes it before the first step and
writes it (see :mod:`credit_scoring.manifest`) only after the last step (``evaluate``) succeeded.
A failed or partial run therefore leaves no manifest, and the dashboard refuses its artifacts.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from credit_scoring.artifacts import (
    CONTRIBUTIONS_META,
    FEATURES,
    MANIFEST,
    METRICS,
    PROJECT_ROOT,
    REPORT_DIR,
    SPLIT,
    TEST,
    TRAIN,
    read_features,
    read_json_artifact,
)
from credit_scoring.errors import ArtifactError, CreditScoringError, DataError
from credit_scoring.manifest import executed_notebook_parameters, write_manifest
from credit_scoring.progress import PROGRESS_VARIABLE, progress_setting, terminal_mode

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: Pipeline steps in their order, each with its notebook.
STEPS: dict[str, str] = {
    "features": "01_features.ipynb",
    "train": "02_train.ipynb",
    "explain": "03_explain.ipynb",
    "evaluate": "04_evaluate.ipynb",
}

#: Parameters for a tiny, quick run (tests and smoke checks): same code paths, fewer iterations.
FAST_TEST_PARAMETERS: dict[str, object] = {
    "iterations": 80,
    "folds": 3,
    "early_stopping_rounds": 20,
}

#: Parameters the pipeline itself fills in for every notebook.
PATH_PARAMETERS = ("data_dir", "artifacts_dir")


def parse_parameter(text: str) -> tuple[str, object]:
    """Parse ``NAME=VALUE`` from the command line; VALUE is read as JSON when it can be (numbers,
    lists, true/false), else kept as text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise CreditScoringError(f"parameter '{text}' is not of the form NAME=VALUE (e.g. folds=5)")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return name.strip(), value


def declared_parameters(notebook: Path) -> set[str]:
    """Names of the parameters declared in the notebook's ``parameters`` cell."""
    return set(notebook_defaults(notebook))


def notebook_defaults(notebook: Path) -> dict[str, object]:
    """The parameters declared in the notebook's ``parameters`` cell with their default values
    (Python literals read as values, anything else kept as its source text)."""
    import papermill

    defaults = {}
    for name, declared in papermill.inspect_notebook(str(notebook)).items():
        try:
            defaults[name] = ast.literal_eval(declared["default"])
        except (ValueError, SyntaxError):
            defaults[name] = declared["default"]
    return defaults


def _select_steps(steps: Iterable[str] | None) -> list[str]:
    if steps is None:
        return list(STEPS)
    selected = list(steps)
    unknown = [step for step in selected if step not in STEPS]
    if unknown:
        raise CreditScoringError(
            f"unknown pipeline step(s) {', '.join(unknown)}: choose among {', '.join(STEPS)}"
        )
    return [step for step in STEPS if step in selected]


def check_data_source(data_dir: Path) -> None:
    """DataError unless ``data_dir`` is a data folder or a zip archive (the Kaggle
    home-credit-default-risk.zip), the two sources the features step reads (credit_scoring.data)."""
    if data_dir.is_dir() or (data_dir.is_file() and zipfile.is_zipfile(data_dir)):
        return
    if data_dir.exists():
        raise DataError(
            f"{data_dir} is neither a folder nor a zip archive: point --data to the folder of "
            "the Kaggle CSV files or to home-credit-default-risk.zip"
        )
    raise DataError(
        f"data folder {data_dir} does not exist: generate the demo data with "
        "`credit-scoring generate --out data/raw` or point --data to the Kaggle files (a folder "
        "or home-credit-default-risk.zip)"
    )


def run_pipeline(
    data_dir: Path | str,
    artifacts_dir: Path | str,
    parameters: Mapping[str, object] | None = None,
    steps: Iterable[str] | None = None,
    html: bool = True,
    progress: bool = True,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
) -> list[Path]:
    """Execute the notebooks of ``steps`` (all by default) in order; return the executed copies.

    ``data_dir`` is a folder of the Kaggle CSV files or the Kaggle zip archive itself.
    ``progress`` False (``--quiet``) silences the step lines and the notebooks' progress; else
    the notebooks show theirs (folds, explanation batches...) as bars in a terminal, plain lines
    elsewhere, and in their executed copies.

    Raises DataError when ``data_dir`` does not exist, CreditScoringError for an unknown step or
    parameter, or when a notebook fails (naming the step, the error and the executed copy to read).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    data_dir = Path(data_dir).resolve()
    artifacts_dir = Path(artifacts_dir).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    parameters = dict(parameters or {})
    selected = _select_steps(steps)
    if "features" in selected:
        check_data_source(data_dir)

    declared = {step: notebook_defaults(notebooks_dir / STEPS[step]) for step in selected}
    known = set().union(*declared.values()) if declared else set()
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise CreditScoringError(
            f"parameter(s) {', '.join(unknown)} are declared by none of the notebooks "
            f"{', '.join(STEPS[s] for s in selected)}; known parameters: {', '.join(sorted(known))}"
        )

    # The notebooks' kernels cannot see this terminal: they are told how to show their progress,
    # and what they write on stderr (progress, warnings) is passed on here as it comes.
    display = "off" if not progress else os.environ.get(PROGRESS_VARIABLE) or terminal_mode()
    report_dir = artifacts_dir / REPORT_DIR
    report_dir.mkdir(parents=True, exist_ok=True)
    # From here on the artifacts change: until the last step succeeds, they are not a complete set.
    (artifacts_dir / MANIFEST).unlink(missing_ok=True)
    executed = []
    used: dict[str, dict[str, object]] = {}
    for number, step in enumerate(selected, start=1):
        notebook = notebooks_dir / STEPS[step]
        output = report_dir / STEPS[step]
        values = {"data_dir": str(data_dir), "artifacts_dir": str(artifacts_dir)}
        values.update({k: v for k, v in parameters.items() if k in declared[step]})
        values = {k: v for k, v in values.items() if k in declared[step]}
        used[step] = {
            name: value
            for name, value in (declared[step] | values).items()
            if name not in PATH_PARAMETERS
        }
        if progress:
            print(f"[{number}/{len(selected)}] {step}: {notebook.name}", flush=True)
        started = time.perf_counter()
        try:
            with progress_setting(display):
                papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=values,
                    cwd=str(notebooks_dir),
                    kernel_name="python3",
                    progress_bar=False,
                    stderr_file=None if display == "off" else sys.stderr,
                    coalesce_streams=True,  # a progress bar's redraws kept as its last state
                )
        except PapermillExecutionError as error:
            raise CreditScoringError(
                f"pipeline step '{step}' failed in {notebook.name}: {error.ename}: {error.evalue}. "
                f"The executed notebook with the full error is {output}"
            ) from error
        if html:
            export_html(output)
        executed.append(output)
        if progress:
            print(f"      done in {time.perf_counter() - started:.1f} s → {output}", flush=True)
    if selected[-1] == list(STEPS)[-1]:
        manifest = write_run_manifest(artifacts_dir, data_dir, used)
        if progress:
            print(
                f"manifest.json: {len(manifest['files'])} files hashed, run {manifest['run_id']}",
                flush=True,
            )
    elif progress:
        print(
            f"No manifest written: the run stopped before the last step ({list(STEPS)[-1]}); "
            "run it to mark the artifacts complete.",
            flush=True,
        )
    return executed


def write_run_manifest(
    artifacts_dir: Path | str, data_dir: Path | str, used: Mapping[str, Mapping[str, object]]
) -> dict:
    """Write the manifest of a completed run and return it.

    ``used`` holds the notebook parameters each step of this run used (defaults included). The
    training and explanation steps record all their settings in metrics.json and
    contributions.json: those are the manifest's ``train`` and ``explain`` parameters. Each
    executed notebook of report/ adds what Papermill injected into it (``papermill <stem>``).
    Row counts are the applicants of features.parquet.
    """

    artifacts_dir = Path(artifacts_dir)
    to_build = "run every step of `credit-scoring pipeline`"
    if not (artifacts_dir / FEATURES).is_file():
        raise ArtifactError(f"cannot write the manifest: {FEATURES} missing in {artifacts_dir}")
    split = read_features(artifacts_dir, columns=[SPLIT])[SPLIT].value_counts()
    row_counts = {
        "training applicants": int(split.get(TRAIN, 0)),
        "new applicants": int(split.get(TEST, 0)),
    }
    recorded = {
        "train": read_json_artifact(artifacts_dir, METRICS, to_build).get("parameters", {}),
        "explain": read_json_artifact(artifacts_dir, CONTRIBUTIONS_META, to_build).get(
            "parameters", {}
        ),
    }
    parameters = {step: dict(values) for step, values in used.items() if step not in recorded}
    parameters |= recorded
    parameters |= {
        f"papermill {name}": values
        for name, values in executed_notebook_parameters(artifacts_dir).items()
    }
    return write_manifest(artifacts_dir, str(Path(data_dir).resolve()), row_counts, parameters)


def export_html(notebook: Path) -> Path:
    """Write an HTML copy of an executed notebook beside it, for readers without Jupyter."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target = notebook.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target
