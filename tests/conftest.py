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
    "tests/checker/test_components.py::test_an_upper_case_matrix_read_by_convention_proves_but_never_refutes",
    "tests/checker/test_updates.py::test_a_lost_one_over_n_is_refuted_with_a_batch_of_several_examples",
    "tests/test_simplify.py::test_collapse_happens_when_licensed",
    "tests/latex/test_parse.py::test_round_trip_own_printer",
    "tests/rules/test_notation_table.py::test_a_wrong_rule_for_the_toy_is_refuted",
    "tests/checker/test_generic.py::test_a_wrong_index_through_the_forward_activation_is_refuted",
    "tests/test_identities.py::test_a_rule_broken_in_the_registry_is_an_entry_no_longer_proved",
    "tests/test_identities.py::test_mutation_is_refuted_with_a_valid_witness",
    "tests/test_identities.py::test_every_entry_is_proved_with_every_step",
    "tests/test_check.py::test_a_generated_report_is_correct_so_nothing_is_refuted",
    "tests/test_check.py::test_a_generated_report_has_at_least_95_percent_of_its_derivation_claims_proved",
    "tests/checker/test_components.py::test_a_batch_stated_in_the_cells_of_an_html_table_is_read_as_in_an_aligned_block",
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
    "tests/checker/test_document_model.py::test_a_refuted_step_of_a_generic_layer_says_the_right_side_in_its_own_notation",
    "tests/checker/test_document_model.py::test_the_activation_of_the_wrong_layer_is_refuted_with_a_chosen_activation",
    "tests/test_prove.py::test_cli_one_name_text_and_json",
    "tests/verifier/test_modular.py::test_depth_20_is_proved_within_the_threshold_or_inconclusive",
    "tests/checker/test_chain.py::test_without_the_rule_the_whole_network_is_expanded_and_runs_out",
    "tests/checker/test_chain.py::test_a_loose_definition_keeps_its_doubt_through_the_chain_rule",
    "tests/checker/test_frozen.py::test_a_bias_in_the_claim_itself_is_no_free_parameter",
    "tests/checker/test_frozen.py::test_without_a_bias_the_kept_form_does_not_refute",
    "tests/checker/test_labels.py::test_the_value_of_a_quantity_defined_as_a_derivative_is_a_claim",
)


#: parameter sweeps (activation × loss × depth and the like) whose fast run is a cross-section:
#: every k-th case, in collection order, stays in ``make test``; the rest are slow.  A sweep
#: found wrong by the cross-section fails fast; the whole sweep runs in CI.
SAMPLED_SWEEPS = {
    "tests/checker/test_updates.py::test_each_kind_of_wrong_mini_batch_update_is_refuted_at_its_line": 5,
    "tests/checker/test_updates.py::test_the_factor_of_a_batch_update_follows_the_documents_batch_loss": 3,
    "tests/checker/test_components.py::test_wrong_vector_steps_are_refuted": 3,
    "tests/checker/test_components.py::test_correct_vector_steps_are_proved_entry_by_entry": 3,
    "tests/checker/test_components.py::test_wrong_batch_formulas_are_refuted": 3,
    "tests/checker/test_components.py::test_batch_formulas_are_proved_at_one_example": 3,
    "tests/test_evaluate.py::test_agrees_with_oracle": 8,
    "tests/test_evaluate.py::test_only_softmax_cross_entropy_leans_on_an_assumption": 4,
    "tests/test_evaluate.py::test_targets_not_summing_to_one_agree_with_oracle_and_gradcheck": 4,
    "tests/test_codegen.py::test_two_layer_networks_match_batch_backprop": 8,
    "tests/test_codegen.py::test_two_layer_networks_match_torch": 8,
    "tests/test_codegen_torch.py::test_two_layer_networks_match_autograd": 8,
    "tests/test_matrix.py::test_batch_form_matches_finite_differences": 8,
    "tests/test_derive.py::test_every_pairing_derives_without_raw_kronecker_or_piecewise": 6,
    "tests/test_verify.py::test_activation_loss_pairing_is_proved": 6,
    "tests/checker/test_document_model.py::test_no_wrong_step_of_a_general_layer_is_proved": 4,
    "tests/checker/test_network_model.py::test_the_activations_and_the_loss_are_proved_equal_to_the_rules": 5,
    "tests/checker/test_guards.py::test_rule_prevents_the_false_alarm_of_its_example": 3,
    "tests/latex/test_extract.py::test_pathological_inputs_are_fast": 5,
    "tests/render/test_templates.py::test_derivation_template_renders": 6,
    "tests/test_registry_forms.py::test_every_rule_is_defined_by_the_verifier_and_written_by_codegen": 6,
    "tests/test_evaluate.py::test_agrees_with_torch": 4,
    "tests/checker/test_chain.py::test_a_wrong_weight_gradient_is_refuted_with_a_witness": 5,
    "tests/checker/test_chain.py::test_the_hidden_layer_is_proved_through_the_next_layer": 4,
    "tests/verifier/test_compiled.py::test_compiled_forms_agree_with_sympy_substitution_and_the_entrywise_walk": 4,
    "tests/checker/test_chain.py::test_a_wrong_hidden_error_signal_is_refuted": 4,
    "tests/checker/test_chain.py::test_no_wrong_gradient_is_proved_through_the_next_layer": 6,
    "tests/checker/test_width_one.py::test_steps_that_tie_a_vector_to_its_entries_or_size_are_not_read_at_width_one": 3,
    "tests/checker/test_network_model.py::test_a_network_stated_in_prose_is_taken_from_a_spec": 2,
    "tests/test_check.py::test_small_documents_give_the_expected_verdict_per_claim": 2,
    "tests/test_codegen.py::test_deep_random_networks_match_batch_backprop": 4,
    "tests/test_evaluate.py::test_specs_agree_with_oracle_and_gradcheck": 3,
    "tests/checker/test_document_model.py::test_a_case_stated_just_above_a_display_holds_there": 2,
}

#: fixtures that check whole documents: every test using one is slow (the ../shared documents)
SLOW_FIXTURES = ("real_documents",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = pytest.mark.slow
    seen: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        function = item.nodeid.split("[", 1)[0]
        if path.startswith(SLOW_MODULES) or function in SLOW_TESTS or \
                any(f in getattr(item, "fixturenames", ()) for f in SLOW_FIXTURES) or \
                _left_out_of_the_cross_section(function, seen):
            item.add_marker(slow)


def _left_out_of_the_cross_section(function: str, seen: dict[str, int]) -> bool:
    """True for a case of a sampled sweep that is not one of its every-k-th cases."""
    every = SAMPLED_SWEEPS.get(function)
    if every is None:
        return False
    position = seen.get(function, 0)
    seen[function] = position + 1
    return position % every != 0
