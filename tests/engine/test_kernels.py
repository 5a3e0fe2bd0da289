"""Running a notebook: a kernel that fails to start is tried again, a failing cell never is.

papermill is replaced by a fake here, so these tests say what the engine does with its answers
(the real kernels run in tests/engine/test_run_engine.py)."""

from __future__ import annotations

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from hki_intl import NOTEBOOKS_DIR
from hki_intl.engine import kernels
from hki_intl.engine.kernels import START_ATTEMPTS, run_notebook
from hki_intl.errors import NotebookFailed

NOTEBOOK = NOTEBOOKS_DIR / "competence.ipynb"
PARAMETERS = {
    "year": 2025,
    "data_dir": "../data",
    "lang": "fi,sv,en",
    "params_dir": "params",
    "goal": "competence",
    "commentary": {},
}
DIED = "Kernel died before replying to kernel_info"


class FakeKernel:
    """A warm kernel manager: remembers whether it was shut down."""

    has_kernel = True
    shut_down = False

    def shutdown_kernel(self, now: bool) -> None:
        self.shut_down = True


class OneWarmKernel:
    def __init__(self):
        self.kernel = FakeKernel()

    def take(self):
        return self.kernel


def papermill_failing(monkeypatch, *errors: Exception) -> list:
    """papermill raises ``errors`` one after another, then succeeds; returns each call's km."""
    calls, pending = [], list(errors)

    def execute(notebook, output, **options):
        calls.append(options.get("km"))
        if pending:
            raise pending.pop(0)

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return calls


def test_a_kernel_that_fails_to_start_is_tried_again_with_one_of_its_own(monkeypatch, tmp_path):
    calls = papermill_failing(monkeypatch, RuntimeError(DIED))
    warm = OneWarmKernel()
    assert run_notebook(NOTEBOOK, tmp_path / "out.ipynb", PARAMETERS, kernels=warm) == tmp_path / "out.ipynb"
    assert calls == [warm.kernel, None]  # the warm kernel first, then a new one
    assert warm.kernel.shut_down


def test_a_kernel_that_never_starts_fails_after_the_last_attempt(monkeypatch, tmp_path):
    calls = papermill_failing(monkeypatch, *[RuntimeError(f"{DIED} ({n})") for n in range(START_ATTEMPTS)])
    with pytest.raises(NotebookFailed) as failed:
        run_notebook(NOTEBOOK, tmp_path / "out.ipynb", PARAMETERS)
    assert len(calls) == START_ATTEMPTS
    assert str(failed.value) == (
        f"notebook competence failed: the kernel failed: {DIED} ({START_ATTEMPTS - 1}); "
        f"the executed copy with the error is saved at {tmp_path / 'out.ipynb'}"
    )


@pytest.mark.parametrize(
    "error",
    [
        PapermillExecutionError(3, 2, "KeyError: 'year'", "KeyError", "'year'", []),
        RuntimeError("Kernel crashed in a cell"),
    ],
    ids=["cell", "other kernel error"],
)
def test_a_failure_that_is_not_a_start_is_never_retried(monkeypatch, tmp_path, error):
    calls = papermill_failing(monkeypatch, error)
    with pytest.raises(NotebookFailed) as failed:
        run_notebook(NOTEBOOK, tmp_path / "out.ipynb", PARAMETERS)
    assert len(calls) == 1
    reason = "KeyError: 'year'" if isinstance(error, PapermillExecutionError) else "the kernel failed: Kernel crashed in a cell"
    assert failed.value.reason == reason


def test_the_warm_up_imports_modules_that_exist():
    """A renamed module must not silently turn the warm kernels cold (the import fails in the kernel, unseen)."""
    import importlib.util

    for name in kernels.WARM_MODULES:
        assert importlib.util.find_spec(name) is not None, name
