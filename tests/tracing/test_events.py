"""The schema module: the JSON Schema is a valid Draft 2020-12 schema, it and ``validate_record`` accept and refuse
the same records, events survive a JSON round trip, and the docs table names every kind."""

from __future__ import annotations

import copy
import dataclasses
import json

import jsonschema
import numpy as np
import pytest

from fittrace.tracing import events
from fittrace.tracing.events import (
    KINDS,
    Event,
    SchemaError,
    json_schema,
    markdown_table,
    validate_record,
)
from fittrace.tracing.snapshots import make_payload


def _minimal(kind: str) -> dict:
    """The smallest record of ``kind`` the schema allows: its required payload keys, and ``dur`` for a span."""
    spec = KINDS[kind]
    return {
        "record": "event",
        "seq": 3,
        "kind": kind,
        "name": f"a {kind}",
        "t": 1000,
        "dur": 50 if spec.span else None,
        # a snapshot's payload is checked beyond its keys: its bytes must decode to its stored shape
        "data": make_payload(np.zeros(2), 8, [], role="input", moment="first_step")
        if kind == "tensor_snapshot"
        else {key: 1 for key in spec.required},
    }


GOOD = {f"minimal {k}": _minimal(k) for k in KINDS}
GOOD.update(
    {
        "every field set": {
            "record": "event",
            "seq": 0,
            "kind": "layer_call",
            "name": "dense",
            "t": 0,
            "keras": "keras.engine.base_layer.Layer.__call__",
            "dur": 7,
            "parent": 2,
            "epoch": 1,
            "step": 4,
            "layer": "dense",
            "data": {"output_shape": [128, 10], "stats": {"mean": 0.1}},
        },
        "optional fields left out": {
            "record": "event",
            "seq": 0,
            "kind": "warning",
            "name": "w",
            "t": 5,
            "data": {},
        },
        "extra payload keys": dict(_minimal("loss"), data={"value": 0.5, "my_own_key": [1, "two"]}),
        "an instant with a duration": dict(_minimal("warning"), dur=3),
        "nan kept as a string": dict(_minimal("loss"), data={"value": "nan"}),
    }
)


def _without(record: dict, key: str) -> dict:
    out = dict(record)
    del out[key]
    return out


def _payload_without(record: dict, key: str) -> dict:
    out = copy.deepcopy(record)
    del out["data"][key]
    return out


_SPAN = _minimal("epoch")
BAD = {
    "not an object": [1, 2],
    "record is not 'event'": dict(_SPAN, record="footer"),
    "record missing": _without(_SPAN, "record"),
    "unknown kind": dict(_SPAN, kind="mystery"),
    "seq missing": _without(_SPAN, "seq"),
    "seq a string": dict(_SPAN, seq="3"),
    "seq a boolean": dict(_SPAN, seq=True),
    "t missing": _without(_SPAN, "t"),
    "t null": dict(_SPAN, t=None),
    "name missing": _without(_SPAN, "name"),
    "name a number": dict(_SPAN, name=7),
    "keras a list": dict(_SPAN, keras=["keras"]),
    "layer a number": dict(_SPAN, layer=1),
    "epoch a string": dict(_SPAN, epoch="0"),
    "parent a float": dict(_SPAN, parent=1.5),
    "a span with dur null": dict(_SPAN, dur=None),
    "data missing": _without(_SPAN, "data"),
    "data a list": dict(_SPAN, data=[]),
    "required payload key missing": _payload_without(_SPAN, "epoch"),
    "unknown top-level field": dict(_SPAN, colour="red"),
    "negative seq": dict(_SPAN, seq=-1),
    "negative t": dict(_SPAN, t=-5),
    "negative dur": dict(_SPAN, dur=-2),
    "a span without a dur key": _without(_SPAN, "dur"),
}


@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _accepted(record) -> bool:
    try:
        validate_record(record)
        return True
    except SchemaError:
        return False


def test_json_schema_is_a_valid_draft_2020_12_schema():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"]["enum"] == sorted(KINDS)
    assert len(schema["allOf"]) == len(KINDS)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_records_pass_both(name, validator):
    record = GOOD[name]
    validate_record(record)
    assert validator.is_valid(record), list(validator.iter_errors(record))


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_records_fail_both(name, validator):
    record = BAD[name]
    with pytest.raises(SchemaError):
        validate_record(record)
    assert not validator.is_valid(record)


def test_schema_errors_say_what_was_wrong():
    with pytest.raises(SchemaError, match=r"unknown kind 'mystery' \(must be one of \["):
        validate_record(BAD["unknown kind"])
    with pytest.raises(SchemaError, match=r"epoch payload misses \['epoch'\]"):
        validate_record(BAD["required payload key missing"])
    with pytest.raises(SchemaError, match="epoch is a span and needs 'dur'"):
        validate_record(BAD["a span with dur null"])
    with pytest.raises(SchemaError, match=r"unknown fields \['colour'\]"):
        validate_record(BAD["unknown top-level field"])
    with pytest.raises(SchemaError, match="field 't' must not be negative, got -5"):
        validate_record(BAD["negative t"])


def test_event_json_round_trip():
    ev = Event(
        seq=4,
        kind="step",
        name="step 2",
        t=10,
        keras=None,
        dur=90,
        parent=1,
        epoch=0,
        step=2,
        layer="d",
        data={"step": 2, "logs": {"loss": 0.25, "accuracy": "nan"}, "full": False},
    )
    # to_json spells the fields out for speed: it must still name every one of them
    assert set(ev.to_json()) == {"record"} | {f.name for f in dataclasses.fields(Event)}
    line = json.dumps(ev.to_json(), allow_nan=False)
    back = Event.from_json(json.loads(line))
    assert back == ev
    assert ev.to_json()["record"] == "event"
    validate_record(json.loads(line))


def test_from_json_fills_optional_fields_with_their_defaults():
    ev = Event.from_json({"record": "event", "seq": 1, "kind": "warning", "name": "w", "t": 3})
    assert (ev.keras, ev.dur, ev.parent, ev.epoch, ev.step, ev.layer, dict(ev.data)) == (
        None,
        None,
        None,
        None,
        None,
        None,
        {},
    )


def test_every_kind_has_a_doc_and_its_required_keys_among_its_payload():
    for kind in KINDS.values():
        assert kind.doc, kind.name
        assert set(kind.required) <= set(kind.payload), kind.name


def test_markdown_table_mentions_every_kind_and_marks_required_keys():
    table = markdown_table()
    lines = table.splitlines()
    assert lines[0] == "| kind | span | what it records | payload |"
    assert len(lines) == 2 + len(KINDS)
    for name in KINDS:
        assert f"| `{name}` |" in table, name
    epoch_row = next(line for line in lines if line.startswith("| `epoch` |"))
    assert "| yes |" in epoch_row and "`epoch`*:" in epoch_row and "`logs`:" in epoch_row


def test_detail_levels_and_summary_kinds_are_known_kinds():
    assert events.DETAIL_LEVELS == ("full", "default", "summary")
    assert events.SUMMARY_KINDS <= set(KINDS)
    assert set(events.BUILD_LIKE) <= set(KINDS)


def test_event_from_fields_makes_the_same_frozen_event_as_the_constructor():
    import dataclasses

    from fittrace.tracing.events import Event, event_from_fields

    fields = (
        7,
        "loss",
        "mse",
        120,
        "keras.engine.compile_utils.LossesContainer.__call__",
        None,
        3,
        0,
        2,
        None,
        {"value": 0.5},
    )
    ev = event_from_fields(fields)
    assert ev == Event(*fields) and type(ev) is Event
    assert dataclasses.astuple(ev)[:10] == fields[:10]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.seq = 8


def test_a_functional_runs_events_and_the_fallback_warning_follow_the_schema(tmp_path, validator):
    import numpy as np
    from sample_runs import functional_run

    import fittrace
    import fittrace.keras as keras
    from fittrace.keras import layers

    run, _ = functional_run(tmp_path)
    kinds = {e.kind for e in run.events}
    assert {"node_created", "graph_network", "layer_build", "model_call"} <= kinds

    class OnlyEight(layers.Layer):
        def call(self, x):
            if x.shape[0] not in (8, 4):  # the real batches: a symbolic one (a probe of 1) fails
                raise ValueError("batches of 8 and 4 only")
            return x

    model = keras.Sequential([OnlyEight(), layers.Dense(1)])
    model.compile(loss="mse")
    with fittrace.trace() as fallback:
        model.fit(
            np.zeros((12, 2), np.float32), np.zeros((12, 1), np.float32), batch_size=8, verbose=0
        )
    warning = next(e for e in fallback.events if e.kind == "warning")
    assert set(warning.data) <= set(KINDS["warning"].payload)  # every key it carries is documented
    assert (
        warning.data["failed_layer"] == warning.layer and warning.data["error_type"] == "ValueError"
    )
    for e in [*run.events, *fallback.events]:
        record = json.loads(json.dumps(e.to_json()))
        validate_record(record)
        assert validator.is_valid(record), list(validator.iter_errors(record))
        assert set(e.data) - {"trigger", "call_path", "error"} <= set(KINDS[e.kind].payload), e.kind
    row = next(line for line in markdown_table().splitlines() if line.startswith("| `warning` |"))
    assert "`failed_layer`:" in row and "`error_type`:" in row
