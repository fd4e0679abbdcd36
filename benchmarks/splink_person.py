"""Splink (DuckDB backend) configured as its documentation recommends for person data, for the
benchmarks that compare it with IVO's engine (benchmark-only: ivo_app never imports splink).

Columns expected in the frame: unique_id, birth_name, first_name, dob (YYYY-MM-DD text or None),
sex, birthplace, used_name, ins (None when missing); `source` too for a linkage of two files.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd


def available() -> bool:
    try:
        import splink  # noqa: F401
    except ImportError:
        return False
    return True


def settings(link_type: str = "dedupe_only", columns: tuple[str, ...] = ()) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.NameComparison("birth_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
    ]
    if "sex" in columns:
        comparisons.append(cl.ExactMatch("sex"))
    if "birthplace" in columns:
        comparisons.append(cl.ExactMatch("birthplace").configure(term_frequency_adjustments=True))
    if "ins" in columns:
        comparisons.append(cl.ExactMatch("ins"))
    for extra in ("postcode", "suburb", "street", "address_2", "state", "street_number"):
        if extra in columns:
            comparisons.append(cl.JaroWinklerAtThresholds(extra, [0.92, 0.8]))
    # Prediction blocking rules close to IVO's passes (Splink has no SOUNDEX2: exact names instead).
    rules = [
        block_on("dob"),
        block_on("birth_name", "first_name"),
        block_on("first_name", "birth_name"),
        block_on("substr(dob, 1, 4)", "birth_name"),
        block_on("substr(dob, 1, 4)", "first_name"),
    ]
    if "ins" in columns:
        rules.append(block_on("ins"))
    if "postcode" in columns:
        rules.append(block_on("postcode", "substr(birth_name, 1, 2)"))
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run(frame: pd.DataFrame | list[pd.DataFrame], *, link_type: str = "dedupe_only", u_pairs: float = 1e7,
        threshold: float | None = 0.01) -> tuple[pd.DataFrame, dict[str, float]]:  # fmt: skip
    """Train (u by random sampling, EM on two blocking rules) and predict: the scored pairs
    (unique_id_l, unique_id_r, match_probability, match_weight) and the time of each step."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frames = frame if isinstance(frame, list) else [frame]
    columns = tuple(frames[0].columns)
    times: dict[str, float] = {}
    start = time.perf_counter()
    db_api = DuckDBAPI()
    tables = [db_api.register(f) for f in frames]
    linker = Linker(tables if len(tables) > 1 else tables[0], settings(link_type, columns), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("birth_name", "first_name", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_name", "first_name"))
    times["training"] = time.perf_counter() - start
    start = time.perf_counter()
    pairs = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    times["predict"] = time.perf_counter() - start
    keep = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    if "source_dataset_l" in pairs.columns:
        keep += ["source_dataset_l", "source_dataset_r"]
    return pairs[keep], times
