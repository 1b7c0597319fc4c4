"""The portable worker backend: chosen by probing, graded the same, on interpreters that lack what macOS and Windows lack."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from grader.catalog import kit
from grader.sandbox import backend, portable
from grader.sandbox.client import LearnerModule, SandboxUnavailable
from grader.grading.outcomes import LearnerTimeout, ModuleUnavailable

from emulation import PLATFORMS, emulated_python

KIT = kit.KIT_ROOT


def _refuse_seqpacket(real):
    def socketpair(family=socket.AF_UNIX, type=socket.SOCK_STREAM, proto=0):
        if type == socket.SOCK_SEQPACKET:
            raise OSError(errno.EPROTONOSUPPORT, "Protocol not supported")
        return real(family, type, proto)

    return socketpair


def test_the_backend_is_chosen_by_what_the_platform_can_do(monkeypatch):
    monkeypatch.delenv(backend.ENV, raising=False)
    assert backend.fork_problem() is None and backend.choose() == "fork"  # this Linux can fork
    monkeypatch.setattr(socket, "socketpair", _refuse_seqpacket(socket.socketpair))  # as macOS answers
    assert "SOCK_SEQPACKET" in backend.fork_problem()
    assert backend.choose() == "portable"
    monkeypatch.undo()
    monkeypatch.delattr(os, "fork")  # as Windows
    assert backend.fork_problem() == "os.fork is not available" and backend.choose() == "portable"


def test_the_environment_forces_a_backend_and_an_impossible_one_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(backend.ENV, "portable")
    assert backend.choose() == "portable"
    monkeypatch.setenv(backend.ENV, "fork")
    assert backend.choose() == "fork"
    monkeypatch.delattr(os, "fork")
    unavailable = backend.start()
    with pytest.raises(SandboxUnavailable, match="GRADE_WORKER_BACKEND=fork.*os.fork is not available"):
        unavailable.spawn(Path("x.py"), "x")
    monkeypatch.setenv(backend.ENV, "spawn")
    with pytest.raises(SandboxUnavailable, match="must be one of auto, fork, portable"):
        backend.start().layers()


@pytest.fixture(scope="module")
def portable_workers():
    workers = portable.PortableWorkers.start()
    yield workers
    workers.close()


def test_a_spawned_worker_reports_the_layers_that_held_and_grades_like_a_forked_one(portable_workers, zygote, tmp_path):
    import torch

    layers = portable_workers.layers()
    assert set(layers) <= set(portable.LAYERS) and "private-tmp" in layers
    assert not {"pid-namespace", "no-network", "cgroup"} & set(layers)  # a process cannot give itself these
    path = kit.SOLUTIONS_DIR / "ex02_cost.py"
    replies = []
    for workers in (zygote, portable_workers):
        module = LearnerModule(zygote=workers, path=path, name="ex02_cost", budget=30.0, call_timeout=10.0)
        try:
            result = module.call("mse", torch.tensor([[1.0], [3.0]]), torch.zeros(2, 1))
            replies.append((float(result.value), sorted(result.calls)))
            assert set(module.layers) == set(workers.layers())
        finally:
            module.close()
    assert replies[0] == replies[1] == (5.0, replies[0][1])


LOOP = "def spin():\n    while True:\n        pass\n"


def test_a_machine_without_a_cpu_clock_times_out_on_the_wall_clock_and_says_so(portable_workers, tmp_path,
                                                                               monkeypatch):
    from grader.sandbox import clocks

    (tmp_path / "spin.py").write_text(LOOP, encoding="utf-8")
    monkeypatch.setattr(clocks, "cpu_seconds", lambda pid, cpu_file=None: None)
    module = LearnerModule(zygote=portable_workers, path=tmp_path / "spin.py", name="spin", budget=30.0,
                           call_timeout=0.5)
    try:
        with pytest.raises(LearnerTimeout, match="measured on the wall clock") as raised:
            module.call("spin")
        assert raised.value.kind == "wall"
    finally:
        module.close()


def _sibling_folder(tmp_path: Path, ex03: str | None) -> Path:
    """ex04 written by reusing the learner's own ex03 (`from ex03_manual_gradient import mse_gradients`)."""
    folder = tmp_path / "work"
    folder.mkdir()
    reference = (kit.SOLUTIONS_DIR / "ex04_gradient_descent.py").read_text(encoding="utf-8")
    start = reference.index("    ### BEGIN SOLUTION\n    x, y, W, b = x.detach()")
    end = reference.index("    ### END SOLUTION", start)
    body = "    dW, db = mse_gradients(x, y, W, b)\n    return W.detach() - lr * dW, b.detach() - lr * db\n"
    source = reference[:start] + body + reference[end + len("    ### END SOLUTION"):]
    source = source.replace("import torch\n", "import torch\nfrom ex03_manual_gradient import mse_gradients\n", 1)
    (folder / "ex04_gradient_descent.py").write_text(source, encoding="utf-8")
    if ex03 is not None:
        shutil.copy(Path(ex03) / "ex03_manual_gradient.py", folder / "ex03_manual_gradient.py")
    return folder


def test_a_learner_reuses_their_own_sibling_module(grade, tmp_path):
    report = grade(_sibling_folder(tmp_path, str(kit.SOLUTIONS_DIR)), ["ex04_gradient_descent"],
                   follow_dependencies=False)
    exercise = report.exercises[0]
    assert exercise.score == exercise.max_score, [(c.id, c.message) for c in exercise.checks if c.status != "passed"]


def test_a_sibling_is_the_learners_own_file_never_the_reference(grade, tmp_path):
    report = grade(_sibling_folder(tmp_path, str(KIT / "exercises")), ["ex04_gradient_descent"],
                   follow_dependencies=False)  # their ex03 is still the stub
    exercise = report.exercises[0]
    unfinished = [c for c in exercise.checks if "not implemented" in (c.message or "")]
    assert unfinished and all("gradient_descent_step" in c.message for c in unfinished)  # ex03's stub raised in it
    assert 0 < exercise.score < exercise.max_score  # fit() does not use ex03 and still passes


def test_a_missing_sibling_says_where_to_put_it(grade, tmp_path):
    report = grade(_sibling_folder(tmp_path, None), ["ex04_gradient_descent"], follow_dependencies=False)
    exercise = report.exercises[0]
    assert exercise.status == "error"
    assert "No module named 'ex03_manual_gradient'" in exercise.message
    assert "put ex03_manual_gradient.py in the same folder as your exercise files" in exercise.message


@pytest.fixture(scope="module")
def catalog_points():
    from grader.catalog import metadata

    return {exercise.id: exercise.points for exercise in metadata.load().exercises}


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_emulated_platform_grades_every_exercise(platform, folder, catalog_points, tmp_path):
    """Without fork, SOCK_SEQPACKET, AF_UNIX, resource, fcntl or /proc: references full marks, stubs 0, no traceback."""
    python = emulated_python(tmp_path / "venv", platform)
    process = subprocess.run([str(python), "-m", "grader", "run", "--dir", str(KIT / folder), "--json"],
                             capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=600,
                             env={**os.environ, "GRADE_WORKER_BACKEND": "auto"})
    assert "Traceback" not in process.stderr, process.stderr[-3000:]
    report = json.loads(process.stdout)
    scores = {exercise["id"]: (exercise["score"], exercise["max_score"]) for exercise in report["exercises"]}
    assert set(scores) == set(catalog_points)
    if folder == "solutions":
        assert process.returncode == 0
        assert scores == {exercise: (points, points) for exercise, points in catalog_points.items()}
    else:
        assert process.returncode == 1
        assert all(score == 0 for score, _ in scores.values())
    held = set(report["confinement"])
    assert "private-tmp" in held and held <= set(portable.LAYERS) and not {"landlock", "seccomp"} & held
    assert ("resource-limits" in held) == (platform == "macos")  # Windows has no resource module


def test_the_in_notebook_check_works_with_the_portable_backend_and_says_once_what_held(monkeypatch, capsys):
    from grader.grading import notebook

    monkeypatch.setenv(backend.ENV, "portable")  # the grading subprocess inherits it
    monkeypatch.setattr(notebook, "_reports", {})
    monkeypatch.setattr(notebook, "_told", set())
    source = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    monkeypatch.setattr(notebook, "_cells", [(source, True)])
    report = notebook.grade_code("ex02_cost", source)
    public = [c["id"] for c in report["exercises"][0]["checks"] if c["visibility"] == "public"][:2]
    assert len(public) == 2
    for check_id in public:
        notebook.check("ex02_cost", check_id)
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if line.startswith("sandbox:")]
    assert len(said) == 1 and "private-tmp" in said[0] and "pid-namespace" not in said[0]
    assert out.count("✓") == 2


def test_closing_the_portable_backend_leaves_no_process_and_no_folder(tmp_path, monkeypatch):
    import psutil

    monkeypatch.setenv(portable.REUSE_ENV, "0")  # each hand-over starts a spare warming beside the worker
    workers = portable.PortableWorkers.start(spares=1)
    (tmp_path / "m.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    module = LearnerModule(zygote=workers, path=tmp_path / "m.py", name="m", budget=30.0, call_timeout=10.0)
    assert module.call("f").value == 1
    pids = [worker.pid for worker in workers._workers] + [spare.process.pid for spare in workers._waiting]
    root = workers._scratch_root
    assert len(pids) == 2 and os.listdir(root)  # the worker in use and the spare warming beside it
    workers.close()
    assert not os.path.exists(root)  # scratch folders and the channel's socket went with it
    assert not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]


@pytest.mark.parametrize("full_kit, warming", [(True, 2), (False, 1)])
def test_a_run_warms_a_hidden_checks_interpreter_only_where_hidden_checks_ship(full_kit, warming, monkeypatch):
    monkeypatch.delenv(portable.REUSE_ENV, raising=False)
    monkeypatch.setattr(kit, "has_solutions", lambda: full_kit)  # a student release has no hidden checks
    workers = portable.PortableWorkers.start(spares=1)
    try:
        assert workers.reuse and len(workers._waiting) == warming
    finally:
        workers.close()


# reuse: a clean worker serves the same folder's next module ---------------------------------------
FRESH = "import torch\ndef f():\n    return [str(torch.zeros(1).dtype), torch.rand(2).tolist(), torch.is_grad_enabled()]\n"
DIRTY = {
    "default_dtype": "import torch\ntorch.set_default_dtype(torch.float64)\n",
    "thread_left_running": "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
    "anomaly_mode_on": "import torch\ntorch.autograd.set_detect_anomaly(True)\n",
    "library_constant_changed": "import math\nmath.pi = 3\n",
    "builtin_shadowed_in_a_library": "import torch.nn.functional as F\nF.len = lambda x: 0\n",
}


def _serve(workers, folder: Path, name: str, source: str, call: str | None = "f"):
    """Grade one module of `folder` in the backend, then retire it as the end of an exercise does."""
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(source + "\ndef f():\n    return 1\n" if call is None else source, encoding="utf-8")
    module = LearnerModule(zygote=workers, path=folder / f"{name}.py", name=name, budget=30.0, call_timeout=10.0)
    try:
        value = module.call("f").value
    except ModuleUnavailable as exc:  # the integrity check caught the change already (reported as tampering)
        value = exc
    pid = module._spawned[0].pid
    module.close()
    return pid, value


def test_a_clean_worker_serves_the_folder_s_next_module_as_it_served_the_first(tmp_path):
    workers = portable.PortableWorkers.start(spares=1)
    try:
        first, expected = _serve(workers, tmp_path / "w", "first", FRESH)
        consuming = "import torch, random\nimport numpy\ndef f():\n    torch.manual_seed(5)\n    " \
                    "open('left.txt', 'w').write('x')\n    return [torch.rand(3).tolist(), random.random(), numpy.random.rand()]\n"
        second, _ = _serve(workers, tmp_path / "w", "second", consuming)
        third, value = _serve(workers, tmp_path / "w", "third", FRESH)
        assert first == second == third and workers.reused == 2  # one interpreter, handed the folder's next modules
        assert value == expected  # the random generators put back as they were before the first module
        fourth, listing = _serve(workers, tmp_path / "w", "fourth", "import os\ndef f():\n    return os.listdir('.')\n")
        assert fourth == first and listing == []  # the private folder emptied between modules
    finally:
        workers.close()


@pytest.mark.parametrize("change", sorted(DIRTY))
def test_a_module_that_changed_the_process_never_hands_it_on(change, tmp_path):
    import psutil

    workers = portable.PortableWorkers.start(spares=1)
    try:
        first, _ = _serve(workers, tmp_path / "w", "first", DIRTY[change], call=None)
        second, value = _serve(workers, tmp_path / "w", "second", FRESH)
        assert first != second and workers.reused == 0, change
        assert value[0] == "torch.float32" and value[2] is True
        assert not psutil.pid_exists(first) or psutil.Process(first).status() == "zombie"
    finally:
        workers.close()


def test_two_folders_never_share_a_worker(tmp_path):
    workers = portable.PortableWorkers.start(spares=1)
    try:
        alice, _ = _serve(workers, tmp_path / "alice", "first", FRESH)
        bob, _ = _serve(workers, tmp_path / "bob", "first", FRESH)
        alice_again, _ = _serve(workers, tmp_path / "alice", "second", FRESH)
        assert len({alice, bob, alice_again}) == 3 and workers.reused == 0
    finally:
        workers.close()


def _serve_one(workers, folder: Path, name: str, source: str, function: str = "f", visibility: str = "public"):
    """(pid of the worker that served it, the call's value or the error's text) of one module of `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    module = LearnerModule(zygote=workers, path=folder / f"{name}.py", name=name, budget=30.0, call_timeout=10.0)
    module.visibility = visibility
    try:
        try:
            value = module.call(function).value
        except Exception as exc:  # noqa: BLE001 - a tampering module's own call is refused
            value = f"{type(exc).__name__}: {exc}"
        return module._spawned[-1].pid, value
    finally:
        module.close()


LEFT_BEHIND = {  # a module that leaves the process unlike a fresh one, and what the folder's next module would see
    "default dtype": ("import torch\nstorage = torch.Storage\ntorch.set_default_dtype(torch.float64)\n"
                      "torch.Storage = storage\n",  # as it was: the integrity check sees nothing
                      "import torch\n\ndef f():\n    return str(torch.get_default_dtype())\n"),
    "thread": ("import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
               "import threading\n\ndef f():\n    return threading.active_count()\n"),
    "torch function patched at import": ("import torch\ntorch.sigmoid = lambda x: x * 0\n",
                                         "import torch\n\ndef f():\n    return torch.sigmoid(torch.zeros(1)).item()\n"),
    "torch function patched by a finalizer": (
        "import torch\n\nclass Late:\n    def __del__(self):\n        torch.sigmoid = lambda x: x * 0\n\n"
        "cycle = Late()\ncycle.me = cycle\ndel cycle\n",  # freed only when the recycle's collection runs
        "import torch\n\ndef f():\n    return torch.sigmoid(torch.zeros(1)).item()\n"),
    "name added to torch": ("import torch\ntorch.kept_for_later = 1\n",
                            "import torch\n\ndef f():\n    return hasattr(torch, 'kept_for_later')\n"),
    "module planted": ("import sys, types\nsys.modules['helper_left'] = types.ModuleType('helper_left')\n",
                       "import sys\n\ndef f():\n    return 'helper_left' in sys.modules\n"),
    "environment": ("import os\nos.environ['LEFT_BEHIND'] = '1'\n",
                    "import os\n\ndef f():\n    return os.environ.get('LEFT_BEHIND')\n"),
    "grad mode": ("import torch\n\ndef f():\n    torch.set_grad_enabled(False)\n    return 1\n",  # each call starts with it on
                  "import torch\n\nAT_IMPORT = torch.is_grad_enabled()\n\ndef f():\n    return AT_IMPORT\n"),
}


@pytest.mark.parametrize("case", LEFT_BEHIND)
def test_a_module_that_leaves_the_process_changed_makes_the_next_get_a_fresh_interpreter(case, portable_workers,
                                                                                       tmp_path):
    dirty, observer = LEFT_BEHIND[case]
    fresh_pid, fresh = _serve_one(portable_workers, tmp_path / "fresh", "observe", observer)  # what a fresh worker says
    dirty_pid, _ = _serve_one(portable_workers, tmp_path / "work", "dirty",
                          dirty if "def f(" in dirty else dirty + "\ndef f():\n    return 1\n")
    pid, seen = _serve_one(portable_workers, tmp_path / "work", "observe", observer)
    assert pid not in (dirty_pid, fresh_pid)
    assert seen == fresh


def test_a_worker_that_served_hidden_checks_never_serves_public_ones(portable_workers, tmp_path):
    source = "def f():\n    return 1\n"
    hidden, _ = _serve_one(portable_workers, tmp_path, "a", source, visibility="hidden")
    public, _ = _serve_one(portable_workers, tmp_path, "b", source)
    assert public != hidden
    assert _serve_one(portable_workers, tmp_path, "c", source, visibility="hidden")[0] == hidden  # hidden after hidden
    assert _serve_one(portable_workers, tmp_path, "d", source)[0] == public

