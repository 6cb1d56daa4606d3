"""The prime-field route's driver: points drawn until every entry is decided.

At each point (:class:`.field_route.FieldPoint`: a fresh random prime, uniform parameters,
the assumptions solved, both sides of every open group) a group whose entries all passed
alike keeps one state (its bound Π ε and its number of points); a group whose entries part
ways (a difference, a vanished denominator) is followed entry by entry.  Entries equal at
every point end "same" when the bound is at most the threshold, else "weak"; one
:class:`.points.Outcome` object per distinct result (cheap to send back from a bounded child).
"""

from __future__ import annotations

import random
from typing import Sequence

from ..derive import Derivation
from .field_arrays import FieldParams
from .field_route import FieldPoint, group_entries, pairs
from .modular import ModularDomain
from .points import Outcome, solve_assumptions


def field_test(d: Derivation, sizes: Sequence[int], entries: Sequence[tuple[int, str, tuple]],
               rng: random.Random, bits: int, max_points: int, threshold: float, redraws: int
               ) -> list[Outcome]:
    """Every entry: "same" (bound ≤ threshold), "weak", "differs" or "error" — points drawn
    (at most ``max_points`` passes per entry, ``redraws`` tries per wanted point) until
    every entry's product of ε is at most ``threshold`` or it differed."""
    groups = group_entries(entries, sizes)
    common = {g: [1.0, 0] for g in groups}        # (bound, points passed) of a group's every entry
    each: dict[tuple, dict[int, list]] = {}       # per entry, once a group's entries part ways
    done: dict[int, Outcome] = {}
    differs = Outcome("differs")

    def open_(bound: float, passed: int) -> bool:
        return bound > threshold and passed < max_points

    for _ in range(max_points * redraws):
        todo = {}
        for g, members in groups.items():
            if g not in each:
                todo[g] = members if open_(*common[g]) else []
            else:
                todo[g] = [(j, f) for j, f in pairs(members) if j not in done and open_(*each[g][j])]
        todo = {g: members for g, members in todo.items() if members}
        if not todo:
            break
        point = _draw(d, sizes, rng, bits, list(todo), redraws)
        collisions = point.dom.collision_bound()
        for g, members in todo.items():
            results = point.results(g, members, collisions)
            if g not in each and isinstance(results, tuple):  # every entry passed alike
                common[g][0] *= results[1]
                common[g][1] += 1
                continue
            if g not in each:
                each[g] = {j: list(common[g]) for j, _ in pairs(groups[g])}
            if isinstance(results, tuple):
                results = [(j, results) for j, _ in pairs(members)]
            for j, result in results:
                if result is None:
                    continue  # a denominator vanished at this point: the entry waits for the next
                if result[0] == "pass":
                    each[g][j][0] *= result[1]
                    each[g][j][1] += 1
                else:
                    done[j] = differs if result[0] == "differs" else Outcome("error", reason=result[1])
    shared: dict[tuple, Outcome] = {}  # one object per distinct outcome: cheap to send back
    out: list[Outcome] = [differs] * len(entries)
    for g, members in groups.items():
        if g not in each and isinstance(members, range):  # the whole group alike
            out[members.start:members.stop] = [_final(*common[g], threshold, shared)] * len(members)
            continue
        for j, _ in pairs(members):
            out[j] = done[j] if j in done else _final(*(each[g][j] if g in each else common[g]),
                                                      threshold, shared)
    return out


def _final(bound: float, passed: int, threshold: float, shared: dict[tuple, Outcome]) -> Outcome:
    """The outcome of an entry equal at every point it was evaluated at."""
    key = (bound, passed)
    hit = shared.get(key)
    if hit is None:
        if passed == 0:
            hit = Outcome("error", reason="denominators vanished at every random point")
        elif bound > threshold:
            hit = Outcome("weak", bound=bound, reason=(
                f"equal at all {passed} points drawn, but the error bound reached only "
                f"{bound:.1e} > {threshold:.0e} within the point budget"))
        else:
            hit = Outcome("same", bound=bound, reason=f"{passed}")
        shared[key] = hit
    return hit


def _draw(d: Derivation, sizes: Sequence[int], rng: random.Random, bits: int, groups: list,
          redraws: int) -> FieldPoint:
    """A point of F_p (a fresh prime, uniform parameters, the assumptions solved) where every
    denominator of u, y, δ is non-zero (redrawn otherwise), with both sides of ``groups``."""
    biases = [l.bias for l in d.network.layers]
    for _ in range(redraws):
        domain = ModularDomain(rng, bits)
        try:
            params = solve_assumptions(d, sizes, domain, FieldParams(domain, sizes, biases))
            return FieldPoint(d, sizes, domain, params, groups)
        except ZeroDivisionError:
            continue
    raise ZeroDivisionError("denominators kept vanishing at random points")
