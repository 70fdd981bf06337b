"""Keras 2's progress bar, character for character, on a fake clock; and func_dump/func_load, a function as
text and back."""

from __future__ import annotations

import base64
import marshal
import sys

import pytest

from fittrace.utils import generic_utils as progbar
from fittrace.utils.generic_utils import Progbar, _format_eta, _format_time, func_dump, func_load

STATEFUL = ["loss", "accuracy"]


def _last_line(out: str) -> str:
    """What a terminal shows last: the text after the final carriage return, without the newline."""
    return out.split("\r")[-1].rstrip("\n")


def test_verbose_1_final_line(clock, capsys):
    bar = Progbar(469, stateful_metrics=STATEFUL)
    clock.t += 0.2  # the first step: slow (tracing), left out of the per-step time
    bar.update(1, [("loss", 2.3), ("accuracy", 0.1)])
    clock.t += 2.8  # 468 more steps: 2.8 / 468 = 5.98 ms each
    bar.update(469, [("loss", 0.2570), ("accuracy", 0.9256)], finalize=False)
    line = bar.update(469, [("loss", 0.2570), ("accuracy", 0.9256)], finalize=True)
    out = capsys.readouterr().out
    expected = (
        "469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - accuracy: 0.9256"
    )
    assert _last_line(out) == expected
    assert line == expected
    assert out.endswith(expected + "\n")


def test_verbose_1_lines_while_running(clock, capsys):
    bar = Progbar(469, stateful_metrics=STATEFUL)
    clock.t += 0.2
    first = bar.update(1, [("loss", 2.3)])
    clock.t += 0.5  # 234 steps in 0.5 s: 2.137 ms each, 234 left -> 0.5 s
    middle = bar.update(235, [("loss", 1.0)])
    assert (
        first == "  1/469 [..............................] - ETA: 1:33 - loss: 2.3000"
    )  # 0.2 s * 468 = 93.6 s
    assert middle == "235/469 [==============>...............] - ETA: 0s - loss: 1.0000"
    out = capsys.readouterr().out
    # each redraw backs over the previous line, then returns to its start
    assert out.startswith("\r  1/469 [")
    assert "\b" * len(first) + "\r235/469" in out
    assert "\n" not in out


def test_redraws_at_most_every_interval_but_keeps_the_values(clock, capsys):
    bar = Progbar(10)
    clock.t += 1
    assert bar.update(1, [("x", 1.0)]) is not None
    clock.t += 0.01
    assert bar.update(3, [("x", 4.0)]) is None  # 0.01 s after the last redraw: not drawn
    assert capsys.readouterr().out.count("\r") == 1
    clock.t += 0.05
    line = bar.update(4, [("x", 4.0)])
    assert line.endswith(" - x: 3.2500")  # (1*1 + 4*2 + 4*1) / 4: weighted by steps since the last


def test_values_not_stateful_are_averaged_stateful_are_shown_as_given(clock):
    bar = Progbar(4, verbose=0, stateful_metrics=["loss"])
    bar.update(2, [("loss", 1.0), ("mae", 1.0)])
    bar.update(4, [("loss", 0.5), ("mae", 0.5)])
    assert bar._values == {"loss": [0.5, 1], "mae": [1.0 * 2 + 0.5 * 2, 4]}


def test_small_values_in_scientific_notation(clock):
    bar = Progbar(1, stateful_metrics=["a", "b"])
    line = bar.update(1, [("a", 0.0004), ("b", -0.0005)])
    assert line.endswith(" - a: 4.0000e-04 - b: -5.0000e-04")


def test_verbose_2_compares_without_abs(clock, capsys):
    bar = Progbar(1, verbose=2, stateful_metrics=["a"])
    bar.update(1, [("a", -0.5)])
    assert (
        " - a: -5.0000e-01 - " in capsys.readouterr().out
    )  # Keras's quirk: avg > 1e-3, not abs(avg)


def test_verbose_2_one_line_at_the_end(clock, capsys):
    bar = Progbar(469, verbose=2, stateful_metrics=STATEFUL)
    clock.t += 1.2
    assert bar.update(468, [("loss", 2.4)]) is None  # nothing before the end
    line = bar.update(469, [("loss", 2.3361), ("accuracy", 0.0999)])
    assert capsys.readouterr().out == line + "\n"
    assert (
        line == "469/469 - 1s - loss: 2.3361 - accuracy: 0.0999 - 1s/epoch - 3ms/step"
    )  # 1.2 s / 469


def test_shorter_line_is_padded_over_the_longer_one(clock, capsys):
    bar = Progbar(100)
    clock.t += 1
    long_line = bar.update(1, [("a_long_metric_name", 1.0)])
    bar._values_order.clear()  # the next line has no metrics: much shorter
    clock.t += 1
    bar.update(2)
    out = capsys.readouterr().out
    second = out.split("\r")[-1]
    assert len(second) == len(long_line)  # trailing spaces cover the old text
    assert second.rstrip() == "  2/100 [..............................] - ETA: 1:38"


def test_not_a_terminal_starts_each_redraw_on_a_new_line(clock, capsys):
    bar = Progbar(2)
    bar._dynamic_display = False
    clock.t += 1
    bar.update(1)
    clock.t += 1
    bar.update(2)
    assert capsys.readouterr().out == (
        "\n1/2 [==============>...............] - ETA: 1s"
        "\n2/2 [==============================] - 2s 1s/step\n"
    )


def test_unknown_target(clock):
    bar = Progbar(None)
    clock.t += 1
    assert bar.update(5) == "      5/Unknown - 1s 200ms/step"


def test_add_advances_by_n(clock):
    bar = Progbar(10, verbose=0)
    bar.add(3)
    bar.add(4)
    assert bar._seen_so_far == 7


def test_time_formats():
    assert [_format_time(t, "step") for t in (0, 3.0, 0.0123, 5e-5)] == [
        " 0s/step",
        " 3s/step",
        " 12ms/step",
        " 50us/step",
    ]
    assert [_format_eta(t) for t in (42.9, 75, 3725)] == ["42s", "1:15", "1:02:05"]


def test_dynamic_display_rule(monkeypatch):
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.setattr(sys, "stdout", open("/dev/null", "w"))  # not a terminal
    assert progbar._is_dynamic_display() is ("posix" in sys.modules)
    monkeypatch.delitem(sys.modules, "posix", raising=False)
    assert progbar._is_dynamic_display() is ("ipykernel" in sys.modules)


def test_snake_case_as_keras_names_things():
    assert progbar.to_snake_case("GlobalAveragePooling2D") == "global_average_pooling2d"
    assert (
        progbar.to_snake_case("_Private") == "private__private"
    )  # as Keras: "private" + "_private"


def test_func_dump_writes_the_marshalled_code_defaults_and_closure():
    offset = 10

    def shifted(x, k=2):
        return x * k + offset

    code, defaults, closure = func_dump(shifted)
    assert marshal.loads(base64.b64decode(code)).co_code == shifted.__code__.co_code
    assert defaults == (2,) and closure == (10,)


def test_func_load_rebuilds_the_function_from_what_func_dump_wrote():
    offset = 10
    dumped = func_dump(lambda x, k=2: x * k + offset)
    again = func_load(list(dumped))  # as a JSON file gives it back: a list, defaults a list too
    assert again(1) == 12 and again(1, k=3) == 13
    uses_a_global = func_load(func_dump(lambda x: x + missing_name), globs={"missing_name": 5})  # noqa: F821
    assert uses_a_global(1) == 6


def test_func_load_refuses_what_is_not_a_functions_bytecode():
    with pytest.raises(ValueError, match="Could not read the function's bytecode"):
        func_load(base64.b64encode(b"not marshal data").decode("ascii"))
    with pytest.raises(ValueError, match="holds a int, not a function's code"):
        func_load(base64.b64encode(marshal.dumps(5)).decode("ascii"))
