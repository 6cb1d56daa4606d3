"""docs/tour.ipynb runs from top to bottom (so the tour never goes stale), in under 30 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tour.ipynb"


def test_tour_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    jupyter_client = pytest.importorskip("jupyter_client")
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        if "python3" not in KernelSpecManager().find_kernel_specs():
            pytest.skip("no python3 Jupyter kernel installed")
    except Exception as exc:  # pragma: no cover - a broken Jupyter install
        pytest.skip(f"no Jupyter kernel available ({exc})")
    del jupyter_client

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "keep the notebook's outputs empty in the file (the test runs it)"
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    start = time.monotonic()
    client.execute()
    seconds = time.monotonic() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    latex = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "execute_result" and "text/latex" in o.get("data", {})]
    assert len(latex) >= 5  # network, derivation, result, verdicts, check result display as LaTeX
    assert seconds < 30, f"the tour took {seconds:.1f} s"
