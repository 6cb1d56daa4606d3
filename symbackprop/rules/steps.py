"""The rules a derivation step may cite, with their names in English and Japanese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepRule:
    """A named justification for one step of a derivation."""

    key: str
    en: str
    ja: str

    def name(self, lang: str = "en") -> str:
        return self.ja if lang == "ja" else self.en


STEP_RULES: dict[str, StepRule] = {
    r.key: r
    for r in (
        StepRule("definition", "definition", "定義"),
        StepRule("chain_rule", "chain rule", "連鎖律"),
        StepRule("multivariate_chain_rule", "chain rule (sum over all paths)", "多変数の連鎖律"),
        StepRule("differentiation", "differentiate term by term", "項ごとに微分"),
        StepRule("kronecker", "sifting: only the term with equal indices remains",
                 "添字が一致する項だけが残る"),
        StepRule("linearity", "linearity of the sum", "総和の線形性"),
        StepRule("identity", "identity", "恒等式"),
        StepRule("assumption", "assumption", "仮定"),
        StepRule("substitution", "substitution", "代入"),
        StepRule("algebra", "algebra", "式の整理"),
        StepRule("gradient_descent", "a step of gradient descent", "勾配降下法の1ステップ"),
        StepRule("batch_mean", "the loss of a batch: the mean of its examples' losses",
                 "ミニバッチの損失: 各例の損失の平均"),
        StepRule("batch_sum", "the loss of a batch: the sum of its examples' losses",
                 "ミニバッチの損失: 各例の損失の和"),
    )
}


def step_rule(key: str) -> StepRule:
    """Look a step rule up by key (every key a derivation uses is listed here)."""
    return STEP_RULES[key]
