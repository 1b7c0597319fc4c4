"""The trust boundary, attacked the way a class is graded: one installation, many submissions.

Every module in tests/corpus/attacks/ is a submission written by a student who has read all of
the kit's source. A category's attackers are graded one after another with ONE copy of the kit
(`grade run --json`, a fresh process each, as an instructor's loop would), then a correct and a
wrong victim. For every attacker the test asserts:

- it gets no point it didn't earn: at most what its honest twin scores (the same module with
  `ATTACK = False`, a score checked by `test_honest_twin_scores_what_its_header_says`), and what
  the attack itself reports through its exception text (`ATTACK-RESULT {"b": [...]}`) is empty;
- the trusted process's report is intact: exit status 0 or 1, one JSON document of schema
  grade-report/1 whose sums add up, no check blamed on the grader, no learner text over the cap;
- no file of the installation or of any submission changed (sha256 of every file), no marker
  file appeared in a shared place (site-packages, home, /tmp), nothing reached a listener;
- no process it started is alive once its run is over.

After the attackers, each victim gets exactly the score (and check statuses) it got before any
attack, computed once in the same copied kit, and the reports saved to the class's out/ folder
are still what the grader printed.

Attacks against shared places only ever write harmless marker files named zz_kit_attack_*,
which the test removes; attacks against the kit only ever reach the test's own copy of it.

`GRADE_ATTACK_KIT=<folder with grader/, solutions/, exercises/>` grades the same classes with a
copy of another kit tree (an older version, a release), e.g. to watch every category fail
against the kit as it was before the confinement: `git archive 54e28e6 grader solutions
exercises | tar -x -C /tmp/old && GRADE_ATTACK_KIT=/tmp/old pytest tests/test_trust_boundary.py -m slow`.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import os
import re
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CORPUS, expectations
from grader.catalog import kit

ATTACKS = sorted((CORPUS / "attacks").glob("c[0-9][0-9]_*.py"))
CATEGORIES = sorted({int(path.name[1:3]) for path in ATTACKS})
REQUIRED_CATEGORIES = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}  # 8 (forbidden calls) and 12 (nbgrader) live elsewhere
LAYERS = ("landlock", "pid-namespace", "no-network", "ipc-namespace", "unprivileged", "resource-limits",
          "cgroup", "private-tmp", "seccomp")
KIT_PARTS = ("grader", "solutions", "exercises")
CLASS_EXERCISES = ("ex01_hypothesis", "ex02_cost")
WRONG_VICTIM = {
    "ex01_hypothesis": CORPUS / "mutants" / "ex01_hypothesis" / "missing_bias.py",
    "ex02_cost": CORPUS / "mutants" / "ex02_cost" / "sum_instead_of_mean.py",
}
MARKER = "zz_kit_attack_"
# the kit under attack: this one, or another tree with grader/, solutions/ and exercises/ (an older
# version, a release) named by GRADE_ATTACK_KIT; either way the runs only ever use a copy of it
SOURCE = Path(os.environ.get("GRADE_ATTACK_KIT") or kit.KIT_ROOT)
RUN_TIMEOUT = 90.0  # one `grade run`; a held attack never comes near it
WALL_SLACK = 20.0  # an attacker's run may take this much longer than a correct submission's
TEXT_CAP = 250  # learner text shown in feedback is capped at about 200 characters
GRADER_BLAMED = ("a problem in the grader", "grader's checks for this exercise could not be loaded",
                 "the check itself could not run")
VALID_CHECK_STATUS = {"passed", "failed", "error", "timeout", "skipped"}
VALID_EXERCISE_STATUS = {"passed", "failed", "error", "timeout"}


# the corpus -----------------------------------------------------------------------------------

def headers(path: Path) -> dict[str, str]:
    found = expectations(path)
    found["exercises"] = [name.strip() for name in found["exercise"].split(",")]
    return found


def stage(path: Path, folder: Path, values: dict[str, str], *, armed: bool = True) -> None:
    """Write an attack into a submission folder with its placeholders filled in."""
    text = path.read_text(encoding="utf-8")
    assert text.count("\nATTACK = True\n") == 1, f"{path.name} needs exactly one `ATTACK = True` line"
    if not armed:
        text = text.replace("\nATTACK = True\n", "\nATTACK = False\n")
    else:
        target = Path(values["__KIT__"]).resolve()
        for real in {kit.KIT_ROOT.resolve(), SOURCE.resolve()}:
            assert target != real and real not in target.parents, "an armed attack may only aim at a copy of the kit"
    for key, value in values.items():
        text = text.replace(key, value)
    leftover = re.findall(r"__[A-Z]+__", text)
    assert not leftover, f"{path.name}: unknown placeholders {leftover}"
    folder.mkdir(parents=True, exist_ok=True)
    expected = headers(path)
    for exercise in expected["exercises"]:
        (folder / f"{exercise}.py").write_text(text, encoding="utf-8")
    if "also_as" in expected:
        (folder / expected["also_as"]).write_text(text, encoding="utf-8")


def unarmed_values() -> dict[str, str]:
    return {"__KIT__": "/nonexistent/kit", "__CLASS__": "/nonexistent/class", "__SELF__": "/nonexistent/self",
            "__TOKEN__": "0" * 12, "__HOME__": "/nonexistent/home", "__UDP__": "9", "__TCP__": "9",
            "__USOCK__": "/nonexistent/socket"}


def test_every_category_has_an_attack_with_complete_headers():
    assert REQUIRED_CATEGORIES <= set(CATEGORIES), sorted(REQUIRED_CATEGORIES - set(CATEGORIES))
    for path in ATTACKS:
        found = headers(path)
        for key in ("exercise", "category", "tries", "stopped_by", "max_score"):
            assert found.get(key), f"{path.name} has no `# {key}:` line"
        assert int(found["category"].split()[0]) == int(path.name[1:3]), path.name
        assert "\nATTACK = True\n" in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("path", ATTACKS, ids=lambda p: p.stem)
def test_honest_twin_scores_what_its_header_says(path, grade, tmp_path):
    """`max_score` is what the module earns without its attack: the cap the attacker is held to."""
    expected = headers(path)
    stage(path, tmp_path, unarmed_values(), armed=False)
    if "also_as" in expected:
        (tmp_path / expected["also_as"]).unlink()
    report = grade(tmp_path, expected["exercises"])
    assert report.score == pytest.approx(float(expected["max_score"])), [
        (check.id, check.status, check.message) for exercise in report.exercises for check in exercise.checks]


# the copied installation ----------------------------------------------------------------------

def sha256_tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    found = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in skip:
            continue
        if path.is_symlink():
            found[relative] = "symlink:" + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    described = [f"added {p}" for p in sorted(after.keys() - before.keys())]
    described += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    described += [f"changed {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return described


@dataclass
class Run:
    name: str
    exercises: tuple[str, ...]
    returncode: int | None
    stdout: str
    seconds: float
    report: dict | None = None
    problem: str | None = None


@dataclass
class Installation:
    """One copy of the kit, its pristine backup, and how correct and wrong work score in it."""

    root: Path
    backup: Path
    reference: dict[str, str]
    env: dict[str, str]
    usual: dict[str, dict[str, tuple]] = field(default_factory=dict)  # victim -> exercise -> summary
    usual_seconds: float = 0.0
    baseline_reports: dict[str, dict] = field(default_factory=dict)

    def grade(self, name: str, folder: Path, exercises, runs: Path, *, cwd: Path,
              extra_env: dict[str, str] | None = None) -> Run:
        """`grade run EXERCISES --dir FOLDER --json` as a fresh process of this installation."""
        runs.mkdir(parents=True, exist_ok=True)
        stdout_path, stderr_path = runs / f"{name}.stdout", runs / f"{name}.stderr"
        env = dict(self.env, **(extra_env or {}))
        command = [sys.executable, "-P", "-m", "grader", "run", *exercises, "--dir", str(folder), "--json"]
        started = time.monotonic()
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                                       stderr=stderr, start_new_session=True)
            try:
                returncode = process.wait(timeout=RUN_TIMEOUT)
                problem = None
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                returncode = process.wait()
                problem = f"`grade run` did not finish within {RUN_TIMEOUT:g} s"
        seconds = time.monotonic() - started
        text = stdout_path.read_text(encoding="utf-8", errors="replace")
        run = Run(name, tuple(exercises), returncode, text, seconds, problem=problem)
        try:
            run.report = json.loads(text)
        except ValueError:
            run.report = None
        return run

    def restore(self) -> None:
        """Put the copy back as it was after the baseline (an attack that got through changed it)."""
        if sha256_tree(self.root) == self.reference:
            return
        shutil.rmtree(self.root)
        shutil.copytree(self.backup, self.root, symlinks=True)


def report_problems(run: Run) -> list[str]:
    """The trusted process's report is intact and self-consistent."""
    if run.problem:
        return [run.problem]
    problems = []
    if run.returncode not in (0, 1):
        problems.append(f"exit status {run.returncode} (expected 0 or 1)")
    report = run.report
    if not isinstance(report, dict):
        return problems + [f"stdout is not one JSON report: {run.stdout[:200]!r}"]
    if report.get("schema") != "grade-report/1":
        problems.append(f"schema is {report.get('schema')!r}")
    exercises = report.get("exercises")
    if not isinstance(exercises, list) or [e.get("id") for e in exercises] != list(run.exercises):
        return problems + [f"the report does not list the graded exercises {list(run.exercises)}"]
    if not isinstance(report.get("confinement"), list):
        problems.append("the report has no `confinement` list")
    if abs(sum(e["score"] for e in exercises) - report.get("score", -1)) > 1e-6:
        problems.append("the total score is not the sum of the exercise scores")
    for exercise in exercises:
        checks = exercise.get("checks", [])
        if exercise.get("status") not in VALID_EXERCISE_STATUS:
            problems.append(f"{exercise['id']}: status {exercise.get('status')!r}")
        if abs(sum(c["points"] for c in checks) - exercise["score"]) > 1e-6:
            problems.append(f"{exercise['id']}: score is not the sum of its checks' points")
        if abs(sum(c["max_points"] for c in checks) - exercise["max_score"]) > 1e-6:
            problems.append(f"{exercise['id']}: max_score is not the sum of its checks' max_points")
        for check in checks:
            if check.get("status") not in VALID_CHECK_STATUS:
                problems.append(f"{exercise['id']}.{check.get('id')}: status {check.get('status')!r}")
            if check.get("status") != "passed" and check.get("points"):
                problems.append(f"{exercise['id']}.{check['id']}: {check['points']} points for a {check['status']} check")
            said = f"{check.get('message') or ''} {check.get('hint') or ''}"
            if any(phrase in said for phrase in GRADER_BLAMED):
                problems.append(f"{exercise['id']}.{check['id']}: blamed on the grader: {said[:160]!r}")
    return problems


def attacker_problems(run: Run, expected: dict, installation: Installation) -> list[str]:
    """No unearned point; nothing the attack reports as achieved; no leak; bounded time."""
    problems = []
    if run.seconds > installation.usual_seconds + WALL_SLACK:
        problems.append(f"its run took {run.seconds:.0f} s (a correct submission: {installation.usual_seconds:.0f} s)")
    report = run.report if isinstance(run.report, dict) else {}
    cap = float(expected["max_score"])
    if isinstance(report.get("score"), (int, float)) and report["score"] > cap + 1e-9:
        problems.append(f"scored {report['score']:g} where its honest twin scores {cap:g}")
    for exercise in report.get("exercises", []) if isinstance(report.get("exercises"), list) else []:
        for check in exercise.get("checks", []):
            if cap == 0 and check.get("status") == "passed":
                problems.append(f"check {check.get('id')} passed for a submission that earns nothing")
            message = str(check.get("message") or "")
            for found in re.findall(r"ATTACK-RESULT (\{[^{}]*\})", message):
                try:
                    breached = json.loads(found).get("b", [])
                except ValueError:
                    breached = [f"unreadable: {found}"]
                if breached:
                    problems.append(f"the attack reports success: {breached}")
            leak = re.search(r"LEAK n=(\d+)", message)
            if leak and int(leak.group(1)) > 0 and check.get("visibility") == "public":
                problems.append(f"public check {check.get('id')} shows {leak.group(1)} hidden inputs: {message[:120]!r}")
            if "x" * TEXT_CAP in message:
                problems.append(f"check {check.get('id')} shows more than {TEXT_CAP} characters of learner text")
    return problems


def summary(report: dict, exercise: str) -> tuple:
    for entry in report.get("exercises", []):
        if entry.get("id") == exercise:
            return entry["score"], tuple((c["id"], c["status"], c["points"]) for c in entry["checks"])
    return None


# processes and markers ------------------------------------------------------------------------

def _proc(pid: int, what: str) -> bytes:
    try:
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def stray_processes(marks: list[str], tokens: list[str]) -> dict[int, str]:
    """Live processes of this test's installation or attacks: the copy's path on their command line
    or in their environment, or an attack's token as their name (zombies don't count)."""
    names = {f"zk{token[:8]}" for token in tokens}
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        stat = _proc(pid, "stat").decode("utf-8", "replace")
        if not stat or stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
            continue
        comm = _proc(pid, "comm").decode("utf-8", "replace").strip()
        cmdline = _proc(pid, "cmdline").replace(b"\0", b" ").decode("utf-8", "replace")
        environ = _proc(pid, "environ").decode("utf-8", "replace")
        if comm in names or any(mark in cmdline or mark in environ for mark in marks):
            found[pid] = f"pid {pid} ({comm}) {cmdline[:100]}"
    return found


def settle(marks: list[str], tokens: list[str], wait: float = 3.0) -> dict[int, str]:
    """What is still alive after `wait` seconds (the grader's own processes need a moment to go)."""
    deadline = time.monotonic() + wait
    while True:
        found = stray_processes(marks, tokens)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def grouped(alive: dict[int, str], seen: set[int]) -> list[str]:
    """One line per process name: how many new ones are alive, and the first of them."""
    by_name: dict[str, list[str]] = {}
    for pid, described in sorted(alive.items()):
        if pid not in seen:
            by_name.setdefault(described.split("(", 1)[1].split(")", 1)[0], []).append(described)
    return [found[0] if len(found) == 1 else f"{len(found)} processes, e.g. {found[0]}" for found in by_name.values()]


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def shared_places() -> list[Path]:
    places = {Path(p) for p in site.getsitepackages()}
    places.add(Path(site.getusersitepackages()))
    places.update(Path(p) for p in (os.path.expanduser("~"), tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"))
    places.update((kit.KIT_ROOT, kit.GRADER_DIR, kit.CURRICULUM_DIR, kit.SOLUTIONS_DIR, SOURCE))
    return sorted(p for p in places if p.is_dir())


def markers(tokens: list[str], extra: list[Path] = ()) -> list[Path]:
    """Marker files named after one of `tokens` in a shared place (or in `extra` folders)."""
    prefixes = tuple(MARKER + token[:8] for token in tokens)
    found = []
    for place in [*shared_places(), *extra]:
        try:
            found.extend(place / name for name in os.listdir(place) if name.startswith(prefixes))
        except OSError:
            pass
    return found


def remove(paths) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


class Listeners:
    """UDP, TCP and named-Unix-socket listeners on this machine that an attack tries to reach."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.setblocking(False)
        self.folder = Path(tempfile.mkdtemp(prefix="kit-listen-"))
        os.chmod(self.folder, 0o755)
        self.unix_path = self.folder / "s"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(self.unix_path))
        os.chmod(self.unix_path, 0o777)
        self.unix.listen(16)
        self.unix.setblocking(False)

    def values(self) -> dict[str, str]:
        return {"__UDP__": str(self.udp.getsockname()[1]), "__TCP__": str(self.tcp.getsockname()[1]),
                "__USOCK__": str(self.unix_path)}

    def received(self) -> list[str]:
        found = []
        while True:
            try:
                found.append("udp:" + self.udp.recv(256).decode("utf-8", "replace"))
            except OSError:
                break
        for name, server in (("tcp", self.tcp), ("unix", self.unix)):
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:
                    break
                with connection:
                    connection.settimeout(1.0)
                    try:
                        data = connection.recv(256)
                    except OSError:
                        data = b""
                found.append(f"{name}:" + data.decode("utf-8", "replace"))
        return found

    def close(self) -> None:
        for sock in (self.udp, self.tcp, self.unix):
            sock.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# fixtures -------------------------------------------------------------------------------------

def make_victims(installation_root: Path, folder: Path) -> dict[str, Path]:
    """alice: the reference solutions; bob: a known mistake in each exercise."""
    alice, bob = folder / "alice", folder / "bob"
    alice.mkdir(parents=True)
    bob.mkdir(parents=True)
    for exercise in CLASS_EXERCISES:
        shutil.copy(installation_root / "solutions" / f"{exercise}.py", alice / f"{exercise}.py")
        shutil.copy(WRONG_VICTIM[exercise], bob / f"{exercise}.py")
    return {"alice": alice, "bob": bob}


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> Installation:
    """A copy of the kit (grader, solutions, exercises) that only this module's runs use."""
    base = tmp_path_factory.mktemp("installation")
    root = base / "kit"
    for part in KIT_PARTS:
        shutil.copytree(SOURCE / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(root), quiet=2)
    env = {key: value for key, value in os.environ.items()
           if key not in ("GRADE_CONFINEMENT_OFF", "PYTHONPATH", "GRADE_DEBUG", "PYTHONSAFEPATH")}
    env["PYTHONPATH"] = str(root)
    imported = subprocess.run([sys.executable, "-P", "-c", "import grader; print(grader.__file__)"], env=env,
                              cwd=base, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(imported).resolve() == (root / "grader" / "__init__.py").resolve(), imported
    installation = Installation(root=root, backup=base / "backup", reference={}, env=env)

    victims = make_victims(root, base / "baseline")
    seconds = []
    for name, folder in victims.items():
        run = installation.grade(name, folder, CLASS_EXERCISES, base / "baseline-runs", cwd=base)
        broken = [p for p in report_problems(run) if "confinement" not in p]  # that one: the layers test's
        assert not broken, (name, broken, run.stdout[:2000])
        installation.baseline_reports[name] = run.report
        installation.usual[name] = {exercise: summary(run.report, exercise) for exercise in CLASS_EXERCISES}
        seconds.append(run.seconds)
    installation.usual_seconds = max(seconds)
    for exercise in CLASS_EXERCISES:  # the victims can tell a raised and a lowered score apart
        correct, wrong = installation.usual["alice"][exercise], installation.usual["bob"][exercise]
        maximum = next(e["max_score"] for e in installation.baseline_reports["alice"]["exercises"] if e["id"] == exercise)
        assert correct[0] == maximum and 0 < wrong[0] < maximum, (exercise, correct, wrong)
    leftovers = settle([str(root)], [])
    kill_all(leftovers)
    assert not leftovers, f"the baseline runs left processes behind: {list(leftovers.values())}"
    shutil.copytree(root, installation.backup, symlinks=True)
    installation.reference = sha256_tree(root)
    return installation


# the class ------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: f"c{c:02d}")
def test_class_grading_holds(category, installation, tmp_path):
    """Category's attackers, then a correct and a wrong victim, all with one installation."""
    attacks = [path for path in ATTACKS if int(path.name[1:3]) == category]
    klass, runs, out = tmp_path / "class", tmp_path / "runs", tmp_path / "class" / "out"
    victims = make_victims(installation.root, klass)
    out.mkdir()
    listeners = Listeners()
    tokens = {path.stem: uuid.uuid4().hex[:12] for path in attacks}
    marks = [str(installation.root), str(klass)]
    problems: list[str] = []
    printed: dict[str, str] = {}
    graded: set[str] = set()
    try:
        for path in attacks:
            folder = klass / path.stem
            stage(path, folder, {"__KIT__": str(installation.root), "__CLASS__": str(klass), "__SELF__": str(folder),
                                 "__TOKEN__": tokens[path.stem], "__HOME__": os.path.expanduser("~"),
                                 **listeners.values()})
        submissions = sha256_tree(klass, skip=("out",))
        kit_before = installation.reference
        seen: set[int] = set()
        for path in attacks:
            expected = headers(path)
            folder = klass / path.stem
            graded.update(expected["exercises"])
            cwd = folder if expected.get("cwd") == "submission" else klass
            run = installation.grade(path.stem, folder, expected["exercises"], runs, cwd=cwd)
            (out / f"{path.stem}.json").write_text(run.stdout, encoding="utf-8")
            printed[path.stem] = run.stdout
            found = [f"report: {p}" for p in report_problems(run)] + attacker_problems(run, expected, installation)
            alive = settle(marks, list(tokens.values()))
            found += [f"still alive after its run: {d}" for d in grouped(alive, seen)]
            seen.update(alive)
            kit_now = sha256_tree(installation.root)
            found += [f"installation: {c}" for c in changes(kit_before, kit_now)]
            kit_before = kit_now
            now = sha256_tree(klass, skip=("out",))
            found += [f"submissions: {c}" for c in changes(submissions, now)]
            planted = markers(list(tokens.values()), extra=[klass])
            found += [f"marker written: {p}" for p in planted]
            remove(planted)
            submissions = sha256_tree(klass, skip=("out",))
            found += [f"reached a listener: {r}" for r in listeners.received()]
            problems += [f"{path.stem}: {p}" for p in found]
        for name, folder in victims.items():
            exercises = tuple(e for e in CLASS_EXERCISES if e in graded)
            run = installation.grade(name, folder, exercises, runs, cwd=klass)
            (out / f"{name}.json").write_text(run.stdout, encoding="utf-8")
            printed[name] = run.stdout
            found = [f"report: {p}" for p in report_problems(run)]
            if isinstance(run.report, dict):
                for exercise in exercises:
                    got, usual = summary(run.report, exercise), installation.usual[name][exercise]
                    if got != usual:
                        found.append(f"{exercise} scored {got[0] if got else None} where it usually scores {usual[0]}: "
                                     f"{[c for c in (got[1] if got else ()) if c not in usual[1]]}")
            problems += [f"victim {name}: {p}" for p in found]
        time.sleep(0.5)
        for name, text in printed.items():
            if (out / f"{name}.json").read_text(encoding="utf-8") != text:
                problems.append(f"the saved report of {name} was rewritten after its run")
        alive = settle(marks, list(tokens.values()), wait=0.5)
        problems += [f"still alive at the end: {d}" for d in grouped(alive, seen)]
    finally:
        kill_all(stray_processes(marks, list(tokens.values())))
        remove(markers(list(tokens.values()), extra=[klass]))
        listeners.close()
        installation.restore()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_report_names_every_confinement_layer(installation):
    """On Linux the report says which layers held; as root (CI, containers) that is all of them."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the layers are Linux mechanisms")
    expected = set(LAYERS) if os.geteuid() == 0 else set(LAYERS) - {"cgroup"}
    for name, report in installation.baseline_reports.items():
        assert expected <= set(report.get("confinement", [])), (name, report.get("confinement"))


@pytest.mark.slow
def test_breach_is_seen_with_confinement_off(installation, tmp_path):
    """The harness itself can fail: with every layer off, the answer-reading attack scores full marks."""
    path = CORPUS / "attacks" / "c01_import_solutions.py"
    folder = tmp_path / "attacker"
    stage(path, folder, {"__KIT__": str(installation.root)})
    run = installation.grade("attacker", folder, ["ex02_cost"], tmp_path / "runs", cwd=tmp_path,
                             extra_env={"GRADE_CONFINEMENT_OFF": ",".join(LAYERS)})
    try:
        assert not report_problems(run), report_problems(run)
        assert not set(run.report["confinement"]) & set(LAYERS), run.report["confinement"]
        assert any("honest twin" in p for p in attacker_problems(run, headers(path), installation))
    finally:
        kill_all(settle([str(installation.root)], []))
