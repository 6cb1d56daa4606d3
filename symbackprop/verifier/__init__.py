"""The independent verifier's parts (the pipeline and its report are :mod:`symbackprop.verify`).

* :mod:`.definitions` — the verifier's own definitions of the activations, losses and
  derivative rules, written once for any number domain;
* :mod:`.formal`     — exact arithmetic on a tower of freed atoms with degree bounds
  (the randomized identity test's domain) and the real functions (mpmath);
* :mod:`.tape`       — reverse-mode differentiation of E, written out from the network's
  description (the independent side);
* :mod:`.closed`     — the derived closed forms evaluated at concrete indices, every u, y,
  δ computed once (the claimed side);
* :mod:`.compiled`   — the same closed forms over all entries at once in F_p (tensors over
  their free indices, sums as loops);
* :mod:`.layered`    — the tape's reverse mode in F_p with one step per layer's sum;
* :mod:`.field_arrays`, :mod:`.field_route`, :mod:`.field_test` — integers mod p with one
  bound per array, one point of the prime-field route (both sides of every group), and the
  points drawn until every entry is decided;
* :mod:`.points`     — parameter keys, the assumptions solved, an entry's outcome;
* :mod:`.randomized` — the randomized identity test and the real-function comparison;
* :mod:`.symbolic`   — the deterministic route: SymEngine expansion of every entry.

None of them uses derive.py, simplify.py or the rules' derivative rules.
"""
