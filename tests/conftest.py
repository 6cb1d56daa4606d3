"""Which tests are slow: one table, so ``make test`` (``-m "not slow"``) stays under a minute on
2 cores and ``make test-slow`` runs exactly the rest.

A test is listed when it takes over about a second (measured with ``pytest --durations``):
whole documents through the checker, the claim corpus, subprocess runs of the CLI with their
time and memory measured, the fuzzing slices, TeX and Chromium, and the heaviest single tests.
Every listed test still runs in CI (``make test-slow``); none is skipped.
"""

from __future__ import annotations

import pytest

#: modules whose every test is slow
SLOW_MODULES = (
    "tests/test_documents.py",          # every test document checked whole (≈ 30 s each under load)
    "tests/prover/test_claim_corpus.py",  # 324 claims through three routes
    "tests/test_bounds.py",             # each reproduction in its own process, time and memory measured
    "tests/fuzz/",                      # property-based slices of the fuzz campaign
    "tests/render/test_tools.py",       # LuaLaTeX and Chromium
    "tests/render/test_japanese.py",    # every report kind rendered in Japanese
    "tests/prover/test_false_verdicts.py",  # each false verdict, by three routes (prove, CLI, check)
    "tests/checker/test_one_decider.py",    # 41 claims, by three routes
    "tests/test_identities.py",         # the catalog proved, entry by entry
)

#: single tests (module::function, all parameters) that take seconds
SLOW_TESTS = (
    "tests/test_identities.py::test_a_rule_broken_in_the_registry_is_an_entry_no_longer_proved",
    "tests/test_identities.py::test_mutation_is_refuted_with_a_valid_witness",
    "tests/test_identities.py::test_every_entry_is_proved_with_every_step",
    "tests/test_check.py::test_a_generated_report_is_correct_so_nothing_is_refuted",
    "tests/test_check.py::test_every_real_document_is_checked_without_a_crash",
    "tests/verifier/test_modular.py::test_depth_32_width_16_is_proved_within_the_threshold",
    "tests/verifier/test_compiled.py::test_a_mutated_delta_is_refuted_with_a_rechecked_witness_at_width_64",
    "tests/test_check_formats.py::test_the_hook_fails_a_commit_with_an_erratum_and_passes_a_correct_one",
    "tests/test_simplify.py::test_sum_linearity_leaves_no_constant_inside_a_sum",
    "tests/test_simplify.py::test_tidy_is_an_equality_with_no_more_operations",
    "tests/test_cli.py::test_verify_names_the_entry_a_broken_rule_breaks",
    "tests/test_verify.py::test_the_assumption_is_applied_on_both_sides",
    "tests/test_verify.py::test_wrong_formula_is_refuted",
    "tests/test_verify.py::test_a_wrong_formula_is_refuted_at_a_wide_size",
    "tests/test_verify.py::test_numeric_difference_is_refuted_when_exact_times_out",
    "tests/test_verify.py::test_numeric_agreement_alone_is_inconclusive",
    "tests/render/test_reports_current.py::test_reports_are_current",
    "tests/test_simplify.py::test_sum_linearity_is_an_equality",
    "tests/test_simplify.py::test_collapse_is_an_equality",
    "tests/test_simplify.py::test_combine_sums_is_an_equality_with_one_sum_per_range",
    "tests/test_simplify.py::test_apply_equalities_holds_where_the_stated_equality_holds",
    "tests/test_evaluate.py::test_exact_forms_are_proved_for_every_target",
    "tests/prover/test_false_verdicts.py::test_the_right_verdict_from_prove",
    "tests/test_codegen.py::test_generation_is_deterministic_across_processes",
    "tests/test_codegen.py::test_every_spec_matches_torch",
    "tests/test_notebook.py::test_tour_notebook_runs",
    "tests/test_prove.py::test_numeric_agreement_is_never_proved",
    "tests/test_prove.py::test_explosive_expression_is_inconclusive_within_the_bound",
    "tests/test_cli.py::test_derive_imports_nothing_it_does_not_need",
    "tests/latex/test_parse.py::test_round_trip_sympy_latex",
    "tests/verifier/test_tape.py::test_every_entry_matches_central_differences_of_sympys_E",
    "tests/test_docs.py::test_readme_example_commands_run_as_pasted",
)


#: fixtures that check whole documents: every test using one is slow (the ../shared documents)
SLOW_FIXTURES = ("real_documents",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = pytest.mark.slow
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        function = item.nodeid.split("[", 1)[0]
        if path.startswith(SLOW_MODULES) or function in SLOW_TESTS or \
                any(f in getattr(item, "fixturenames", ()) for f in SLOW_FIXTURES):
            item.add_marker(slow)
