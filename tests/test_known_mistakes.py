"""Day-one confusions: classic exceptions named with a hint, a syntax error's line shown as written, and a
failure said once per exercise."""

from __future__ import annotations

from grader import i18n
from grader.catalog import kit
from grader.grading.known_errors import recognise


def _reply(kind, message, code=None):
    return {"status": "raised", "type": kind, "message": message, "where": "ex05_autograd.py:9", "code": code}


def test_backward_twice_is_recognised_by_pytorchs_message():
    known = recognise(_reply("RuntimeError", "Trying to backward through the graph a second time (or directly "
                             "access saved tensors after they have already been freed). Saved intermediate values…"))
    assert known is not None and known.mistake == "backward_twice"
    said = known.message("train_step", _reply("RuntimeError", "", "cost.backward()"))
    assert "train_step() called backward() a second time" in said and "`cost.backward()`" in said
    assert recognise(_reply("RuntimeError", "mat1 and mat2 shapes cannot be multiplied")) is None


def test_a_none_grad_is_recognised_only_on_a_line_reading_grad():
    none_grad = _reply("TypeError", "unsupported operand type(s) for *: 'float' and 'NoneType'", "W = W - lr * W.grad")
    known = recognise(none_grad)
    assert known is not None and known.mistake == "update_made_non_leaf"
    assert "used W.grad while it was None (TypeError)" in known.message("fit_autograd", none_grad)
    assert recognise(_reply("AttributeError", "'NoneType' object has no attribute 'zero_'", "b.grad.zero_()")).mistake \
        == "update_made_non_leaf"
    assert recognise(_reply("TypeError", "unsupported operand type(s) for +: 'int' and 'NoneType'", "total = n + m")) is None


def test_each_known_error_speaks_korean():
    from grader.grading.known_errors import KNOWN

    reply = _reply("TypeError", "x NoneType", "W = W - lr * W.grad")
    for known in KNOWN:
        assert i18n.localize(i18n.tr(known.hint), "ko") != known.hint
        assert i18n.localize(known.message("fit_autograd", reply), "ko") != str(known.message("fit_autograd", reply))


def test_a_syntax_errors_line_is_shown_as_the_learner_wrote_it(grade, tmp_path):
    source = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    broken = source.replace("return ((target - prediction) ** 2).sum()", "return ((target - prediction) ** 2).sum(")
    assert broken != source
    (tmp_path / "ex02_cost.py").write_text(broken, encoding="utf-8")
    exercise = grade(tmp_path, ["ex02_cost"]).exercises[0]
    assert exercise.status == "error"
    assert "`return ((target - prediction) ** 2).sum(`" in exercise.message
    assert ".sum()" not in exercise.message  # no closing parenthesis the learner did not write


def test_a_failure_already_said_points_to_the_check_that_said_it(grade, tmp_path):
    source = (kit.SOLUTIONS_DIR / "ex02_cost.py").read_text(encoding="utf-8")
    wrong = source.replace("((target - prediction) ** 2).mean()", "((target - prediction) ** 2).mean(dim=0)")
    assert wrong != source
    (tmp_path / "ex02_cost.py").write_text(wrong, encoding="utf-8")
    checks = grade(tmp_path, ["ex02_cost"]).exercises[0].checks
    failed = [check for check in checks if check.status == "failed"]
    messages = [str(check.message) for check in failed]
    assert len(failed) >= 2 and len(set(messages)) == len(messages), messages
    assert any(message.startswith("the same problem as in “") for message in messages)
    assert sum("has shape (1,), expected ()" in message for message in messages) == 1
