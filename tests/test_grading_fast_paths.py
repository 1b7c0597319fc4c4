"""The grading speed-ups keep what they replace: requests, the integrity check, check order, hidden workers."""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from grader.grading.checking import check, spec_of
from grader.grading.plugin import public_first
from grader.sandbox import dictversion, integrity, request_codec
from grader.sandbox.client import LearnerModule


# requests: plain tensors as bytes, anything else as torch pickles it ---------------------------
@pytest.mark.parametrize("tensor", [
    torch.randn(3, 4), torch.randn(2, 3, dtype=torch.float64), torch.arange(6), torch.tensor(2.5),
    torch.zeros(0, 3), torch.tensor([True, False]), torch.randn(4).to(torch.bfloat16),
    torch.randn(2, 2, requires_grad=True), torch.tensor([1, 2], dtype=torch.int32),
], ids=["float32", "float64", "int64", "0-dim", "empty", "bool", "bfloat16", "requires-grad", "int32"])
def test_plain_tensors_arrive_equal_and_fresh(tensor):
    payload = request_codec.dumps({"args": (tensor,), "kwargs": {}})
    assert b"request_codec" in payload  # the fast path was taken
    got = pickle.loads(payload)["args"][0]
    assert type(got) is torch.Tensor and got.dtype == tensor.dtype and got.shape == tensor.shape
    assert torch.equal(got.detach(), tensor.detach())
    assert got.requires_grad == tensor.requires_grad and got.is_leaf
    if tensor.numel():
        assert got.untyped_storage().data_ptr() != tensor.untyped_storage().data_ptr()


def test_an_argument_owns_its_memory_as_before():
    got = pickle.loads(request_codec.dumps((torch.randn(2, 3),)))[0]
    assert got._base is None
    got.detach_()
    got.resize_(4, 4)  # a learner may resize or detach its input in place
    assert got.shape == (4, 4)


def test_the_same_tensor_twice_arrives_as_one():
    tensor = torch.randn(3)
    first, second = pickle.loads(request_codec.dumps((tensor, tensor)))
    assert first is second


@pytest.mark.parametrize("make", [
    lambda base: (base, base[1:]),  # a view
    lambda base: (base, base.detach()),  # not a view, but the same memory
    lambda base: (base.t(),),  # not contiguous: the strides travel
], ids=["view", "detached-alias", "transposed"])
def test_anything_else_goes_through_torchs_pickle(make):
    sent = make(torch.randn(4, 4))
    payload = request_codec.dumps(sent)
    assert payload == pickle.dumps(sent)  # exactly what the worker received before
    got = pickle.loads(payload)
    assert [type(t) for t in got] == [type(t) for t in sent]
    assert [t.stride() for t in got] == [t.stride() for t in sent]


def test_a_parameter_stays_a_parameter():
    parameter = torch.nn.Parameter(torch.randn(2, 3))
    got = pickle.loads(request_codec.dumps({"model": [parameter]}))["model"][0]
    assert type(got) is torch.nn.Parameter and got.requires_grad and torch.equal(got.detach(), parameter.detach())


def test_a_tensor_with_attributes_keeps_them():
    tensor = torch.randn(2)
    tensor.note = "kept"
    assert pickle.loads(request_codec.dumps([tensor]))[0].note == "kept"


# the integrity snapshot's fast path ---------------------------------------------------------------
def _namespaces():
    owned = types.ModuleType("owned_for_test")
    exec("def probe(x):\n    return x + 1\n", owned.__dict__)
    library = types.ModuleType("library_for_test")
    library.allclose = lambda a, b: a == b
    library.nothing = None

    class Watched:
        def method(self):
            return 1

    return owned, library, Watched


@pytest.fixture(params=["tags", "no-tags"])
def snapshot_parts(request, monkeypatch):
    if request.param == "no-tags":  # where the dict layout is not the expected one, names are compared
        monkeypatch.setattr(dictversion, "version_of", None)
    elif dictversion.version_of is None:
        pytest.skip("this Python has no readable dict version tags")
    owned, library, watched = _namespaces()
    registry = {"probe": owned.probe}
    return integrity.Snapshot([owned, watched], [library], registry), owned, library, watched, registry


def test_an_untouched_snapshot_reports_nothing(snapshot_parts):
    snapshot = snapshot_parts[0]
    assert snapshot.changed() is None
    assert snapshot.changed() is None


@pytest.mark.parametrize("tamper, expected", [
    (lambda owned, library, watched, registry: setattr(library, "allclose", lambda a, b: True), "allclose"),
    (lambda owned, library, watched, registry: delattr(library, "nothing"), "nothing"),
    (lambda owned, library, watched, registry: setattr(owned, "list", tuple), "names"),
    (lambda owned, library, watched, registry: setattr(owned.probe, "__code__", (lambda x: 0).__code__), "probe"),
    (lambda owned, library, watched, registry: setattr(watched, "method", lambda self: 2), "names"),
    (lambda owned, library, watched, registry: registry.update(probe=print), "registry"),
], ids=["library-replaced", "library-deleted", "owned-added", "code-swapped", "class-method", "registry"])
def test_every_kind_of_tampering_is_still_seen(snapshot_parts, tamper, expected):
    snapshot, owned, library, watched, registry = snapshot_parts
    assert snapshot.changed() is None
    tamper(owned, library, watched, registry)
    found = snapshot.changed()
    assert found is not None and expected in found


def test_a_library_may_gain_names_and_later_changes_are_still_seen(snapshot_parts):
    snapshot, owned, library, watched, registry = snapshot_parts
    library.lazily_imported = object()  # torch adds submodules as they are first imported
    assert snapshot.changed() is None
    library.allclose = None
    assert "allclose" in snapshot.changed()


# check order and the workers of hidden checks ----------------------------------------------------
def _items(*checks):
    module = types.ModuleType("check_exXX")
    module.EXERCISE = "exXX"
    return [SimpleNamespace(module=module, function=function, nodeid=function.__name__) for function in checks]


def _made(name, **spec):
    def function():
        pass

    function.__name__ = f"test_{name}"
    function.__doc__ = f"check {name}"
    return check(points=1, **spec)(function)


def test_public_checks_run_before_hidden_ones_in_file_order():
    a = _made("a")
    h1 = _made("h1", visibility="hidden", taught_by=["a"])
    b = _made("b", depends=["a"])
    h2 = _made("h2", visibility="hidden", taught_by=["b"])
    c = _made("c")
    order = [spec_of(item.function).id for item in public_first(_items(a, h1, b, h2, c))]
    assert order == ["a", "b", "c", "h1", "h2"]


def test_a_public_check_waiting_for_a_hidden_one_keeps_the_file_order():
    h = _made("h", visibility="hidden", taught_by=["a"])
    a = _made("a", depends=["h"])
    order = [spec_of(item.function).id for item in public_first(_items(h, a))]
    assert order == ["h", "a"]


def test_every_shipped_check_module_runs_public_first():
    from grader.catalog import kit, metadata

    for exercise in metadata.load().exercises:
        namespace: dict = {}
        source = metadata.check_file(exercise.id)
        exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"), namespace)
        functions = [value for name, value in namespace.items() if name.startswith("test_") and spec_of(value)]
        visibilities = [spec_of(item.function).visibility for item in public_first(_items(*functions))]
        assert visibilities == sorted(visibilities, key=lambda v: v == "hidden"), exercise.id


MEMORY = '''
SEEN = []


def remember(value):
    SEEN.append(value)
    return len(SEEN)


def seen():
    return list(SEEN)
'''


def test_a_worker_that_served_a_hidden_check_never_serves_a_public_one(zygote, tmp_path):
    path = tmp_path / "memory.py"
    path.write_text(MEMORY, encoding="utf-8")
    module = LearnerModule(zygote=zygote, path=Path(path), name="memory", budget=30.0, call_timeout=10.0)
    try:
        module.visibility = "public"
        assert module.call("remember", "public input").value == 1
        module.visibility = "hidden"  # the public worker turns hidden: it saw only public inputs
        assert module.call("remember", "hidden input").value == 2
        assert len(module.layers or []) and len(module._spawned) == 1
        module.visibility = "public"  # a public check after a hidden one: a fresh worker, nothing remembered
        assert module.call("seen").value == []
        assert len(module._spawned) == 2
        module.visibility = "hidden"
        assert module.call("seen").value == ["public input", "hidden input"]
    finally:
        module.close()


def test_rebinding_the_tag_reader_hides_nothing(snapshot_parts, monkeypatch):
    snapshot, owned, library, watched, registry = snapshot_parts
    frozen = {id(d): dictversion.version_of(d) for d in snapshot._dicts} if dictversion.version_of else {}
    monkeypatch.setattr(dictversion, "version_of", lambda mapping: frozen.get(id(mapping), 0))
    library.allclose = lambda a, b: True
    assert "allclose" in snapshot.changed()


def test_rebinding_ctypes_hides_nothing(snapshot_parts, monkeypatch):
    import ctypes

    snapshot, owned, library, watched, registry = snapshot_parts
    seen: dict = {}

    class Stale:  # answers every address with the first tag it read there
        @staticmethod
        def from_address(address):
            return SimpleNamespace(value=seen.setdefault(address, 0))

    monkeypatch.setattr(ctypes, "c_uint64", Stale)
    library.allclose = lambda a, b: True
    assert "allclose" in snapshot.changed()


# replies: a run of floats (a loss curve) as one packed block, everything else as before --------
FLOATS = [0.1 * i for i in range(40)] + [float("nan"), float("inf"), float("-inf"), -0.0, 5e-324, 1e308]


@pytest.mark.parametrize("value", [
    FLOATS, tuple(FLOATS), {"costs": FLOATS, "w": [FLOATS, FLOATS[:3]]}, FLOATS[:15], FLOATS[:16],
    FLOATS + [1], FLOATS + [True], [1.0] * 16 + ["x"], [],
], ids=["list", "tuple", "nested", "short", "shortest-packed", "with-int", "with-bool", "with-str", "empty"])
def test_a_run_of_floats_arrives_bit_for_bit_with_its_type(value):
    from grader.sandbox import codec, plain

    got = codec.roundtrip(value)
    assert repr(got) == repr(value) and type(got) is type(value)  # nan, -0.0 and subnormals included
    packed = plain.dumps(value)
    if isinstance(value, (list, tuple)) and len(value) >= plain.FLOAT_RUN and all(type(v) is float for v in value):
        assert packed[:1] in (b"D", b"E") and len(packed) == 5 + 8 * len(value)
    elif isinstance(value, (list, tuple)):
        assert packed[:1] in (b"l", b"t")


def test_a_packed_run_is_held_to_the_format_limits(monkeypatch):
    from grader.sandbox import plain

    packed = plain.dumps([1.5] * 40)
    for broken in (packed[:-1], packed[:5], b"D" + (2**31).to_bytes(4, "little") + packed[5:], packed + b"\0"):
        with pytest.raises(plain.FormatError):
            plain.loads(broken)
    monkeypatch.setattr(plain, "MAX_ITEMS", 39)
    with pytest.raises(plain.FormatError, match="too many items"):
        plain.loads(packed)


def test_scalar_runs_are_copied_not_shared():
    from grader.instructor.memo import fresh_copy
    from grader.grading.recorded_oracle import undecode
    from grader.sandbox import codec

    costs = [0.5] * 20
    for copier in (codec.decode, fresh_copy, undecode):
        got = copier(costs)
        assert got == costs and got is not costs  # a check that appends to it changes no one else's
    Point = __import__("collections").namedtuple("Point", "x y")
    assert type(undecode(Point(1.0, 2.0))) is tuple  # answers are plain data, as before


def test_a_learners_sequence_is_read_once_when_encoded():
    from grader.sandbox import codec

    class Shifty(list):
        reads = 0

        def __iter__(self):
            Shifty.reads += 1
            return iter([1.0, 2.0] if Shifty.reads == 1 else [object()])

    assert codec.encode(Shifty([0.0])) == [1.0, 2.0] and Shifty.reads == 1


def test_a_learner_setting_the_byte_order_scrambles_nothing(monkeypatch):
    from grader.sandbox import codec

    from grader.sandbox import plain

    with monkeypatch.context() as learner:
        learner.setattr(sys, "byteorder", "big")  # in the worker; unwatched, so packing must not read it
        payload = plain.dumps(codec.encode(FLOATS))
    assert repr(codec.decode(plain.loads(payload))) == repr(FLOATS)  # read by the trusted side


def test_nesting_is_limited_whatever_the_innermost_items_are():
    from grader.sandbox import codec, plain

    def nest(value, levels):
        for _ in range(levels):
            value = [value]
        return value

    for leaves in ([1], [1.0] * plain.FLOAT_RUN, [{"k": 1}]):
        with pytest.raises(codec.EncodingError):
            codec.encode(nest(leaves, codec.MAX_DEPTH))
        with pytest.raises(plain.FormatError):
            plain.dumps(nest(leaves, plain.MAX_DEPTH))
    deep = b"l\x01\x00\x00\x00" * plain.MAX_DEPTH + plain.dumps([1.0] * plain.FLOAT_RUN)
    with pytest.raises(plain.FormatError, match="nested too deeply"):
        plain.loads(deep)


BASELINE = '''
import sys


def baseline_left_behind():
    zygote = sys.modules.get("grader.sandbox.zygote")
    return zygote is not None and zygote._baseline is not None
'''


def test_a_worker_keeps_the_zygotes_integrity_baseline_to_itself(zygote, tmp_path):
    path = tmp_path / "baseline.py"
    path.write_text(BASELINE, encoding="utf-8")
    module = LearnerModule(zygote=zygote, path=Path(path), name="baseline", budget=30.0, call_timeout=10.0)
    try:
        assert module.call("baseline_left_behind").value is False
    finally:
        module.close()


def test_torch_is_imported_without_full_collections_and_the_collector_comes_back():
    code = """
import gc
full = []
gc.callbacks.append(lambda phase, info: full.append(1) if phase == "stop" and info["generation"] == 2 else None)
from grader.grading import startup
startup.import_torch()
startup.import_torch()
import torch, pytest
print(len(full), gc.isenabled(), gc.get_freeze_count() > 100_000, type(torch.optim.SGD).__name__)
"""
    import subprocess

    from grader.catalog import kit

    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=kit.KIT_ROOT,
                           check=True).stdout.split()
    assert found == ["0", "True", "True", "type"]  # without it, importing torch sets off ~5 full collections
