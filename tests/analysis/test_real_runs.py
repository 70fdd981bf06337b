"""What a trace of a real Keras run holds and lacks (``fittrace/analysis/real_runs.py``), on engine traces adjusted
to read as the bridge's (``tests/as_real_runs.py``), and how every renderer prints it: the report, the sequence
diagram, the flowchart, the call graph and the plots."""

from __future__ import annotations

import pytest
from as_real_runs import as_keras3, as_tf_keras, engine_trace

from fittrace.analysis.real_runs import (
    graph_lesson,
    not_recorded,
    participant,
    ran_on,
    real_functions,
    symbolic_build,
)
from fittrace.render.callgraph import callgraph_dot
from fittrace.render.flowchart import flowchart_dot
from fittrace.render.html import render_html
from fittrace.render.sequence import sequence_mermaid, sequence_svg
from fittrace.render.sequence_model import Note, sequence_model
from fittrace.tracing.document import Trace


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_trace(tmp_path_factory.mktemp("engine"))


def test_an_engine_trace_ran_on_fittrace_and_lacks_nothing(engine):
    ran = ran_on(engine)
    assert not ran.real and ran.framework == "fittrace" and "its own numpy engine" in ran.label
    assert not_recorded(engine) == {} and graph_lesson(engine) is None
    assert participant(engine, "loss", "LossesContainer") == "LossesContainer"


def test_the_framework_comes_from_the_header_or_else_from_the_bridge_that_hooked(engine):
    ran = ran_on(as_tf_keras(engine))
    assert (ran.framework, ran.version, ran.backend) == ("tf_keras", "2.21.0", "tensorflow")
    assert ran.real and ran.label == "tf-keras 2.21.0 (TensorFlow backend)" and ran.hooked == 24
    k3 = as_keras3(engine, backend="jax")
    header = dict(k3.header)
    for key in ("framework", "framework_version", "backend"):
        header.pop(key)
    header["bridge"]["keras"].update(framework_version="3.15.0", backend="jax")
    assert ran_on(Trace(header, k3.events)).label == "Keras 3.15.0 (jax backend)"
    # a bridge in a process that trained fittrace's own model: its events name the paths the engine mirrors
    assert not ran_on(Trace(header, engine.events)).real
    skipped = {"bridge": {"keras": {"framework": "keras", "hooked": 0, "skipped": "not Keras 3"}}}
    assert not ran_on(Trace(skipped, [])).real  # a Keras 2 called keras: not Keras 3's bridge
    assert ran_on(
        Trace(header, [])
    ).real  # nothing recorded, and one bridge installed: that framework


def test_graph_mode_lacks_the_stages_inside_a_step_and_says_why(engine):
    trace = as_tf_keras(engine, graph=True)
    absent = not_recorded(trace)
    assert set(absent) == {"layer_call", "loss", "gradient", "optimizer_update", "metric_update"}
    assert all("in graph mode it runs inside the traced graph" in why for why in absent.values())
    assert absent["loss"].startswith("The loss: not recorded")
    lesson = graph_lesson(trace)
    steps = sum(1 for e in trace.events if e.kind == "step")
    traced = sum(
        1 for e in trace.events if e.kind == "train_function" and e.data["action"] == "traced"
    )
    assert f"tf.function traced train_function {traced} time(s), in {traced} of its calls" in lesson
    rest = f"the other {steps - traced} of the {steps} step(s)"
    assert f"{rest} ran inside the traced graph" in lesson
    # without the loop's step events, the steps are those the train_function calls ran: six calls, the
    # first traced twice (tf.function's second trace of a first call that made variables)
    from fittrace.tracing.events import Event

    calls = [
        Event(
            i * 3,
            "function_call",
            "train_function",
            i * 3,
            "tf_keras.src.engine.training.Model.make_train_function",
            1,
            data={"mode": "graph", "steps": 1, "traced": i == 0},
        )
        for i in range(6)
    ]
    twice = [
        Event(
            k,
            "train_function",
            "train_function",
            k,
            "tensorflow.Function.__call__",
            parent=0,
            data={"action": "traced", "mode": "graph"},
        )
        for k in (1, 2)
    ]
    lesson = graph_lesson(Trace(trace.header, sorted(calls + twice, key=lambda e: e.seq)))
    assert "traced train_function 2 time(s), in 1 of its calls" in lesson
    assert "the other 5 of the 6 step(s)" in lesson


def test_summary_detail_says_so_and_an_eager_run_says_where_its_python_ran(engine):
    header = {**as_tf_keras(engine, graph=True).header, "detail": "summary"}
    summary = Trace(header, as_tf_keras(engine, graph=True).events)
    assert "summary detail keeps no event from inside a step" in not_recorded(summary)["loss"]
    eager = as_tf_keras(engine, graph=False)
    eager = Trace(
        {**eager.header, "compile": {**eager.header["compile"], "run_eagerly": True}},
        [e for e in eager.events if e.kind not in ("train_function", "function_call")],
    )
    assert "run_eagerly=True: train_step's Python ran at every one" in graph_lesson(eager)


def test_real_functions_and_participants_come_from_the_keras_fields(engine):
    k3 = as_keras3(engine, graph=False)
    assert participant(k3, "data_handler", "DataHandler") == "TFEpochIterator"
    assert participant(k3, "loss", "LossesContainer") == "CompileLoss"
    assert real_functions(k3, "fit") == [
        "keras.src.backend.tensorflow.trainer.TensorFlowTrainer.fit"
    ]
    built = symbolic_build(k3)
    assert built["keras"].endswith("Trainer._symbolic_build") and built["layers"] == [
        "dense",
        "dense_1",
    ]
    assert symbolic_build(engine) is None
    assert (
        "EpochIterator"
        in not_recorded(Trace(k3.header, [e for e in k3.events if e.kind != "data_handler"]))[
            "data_handler"
        ]
    )


# --- the renderers on these traces ------------------------------------------------------------------------------
def _section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}"')[1].split("</section>")[0]


def test_the_report_names_the_framework_and_the_real_functions(engine):
    html = render_html(as_tf_keras(engine, missing=("tf_keras.src.engine.training.Model.foo",)))
    assert "on tf-keras 2.21.0 (TensorFlow backend)" in html.split("</title>")[0]
    overview = _section(html, "overview")
    assert (
        "tf-keras 2.21.0 (TensorFlow backend), recorded through fittrace's bridge (24 hooks)"
        in overview
    )
    assert (
        "not found in this version, so not recorded: <code>tf_keras.src.engine.training.Model.foo"
        in overview
    )
    assert (
        "Ran in tf-keras 2.21.0 (TensorFlow backend): <code>tf_keras.src.engine.data_adapter.DataHandler"
        in (_section(html, "adapters"))
    )
    assert (
        "Keras: <code>keras.engine" not in html
    )  # the mirrored paths are the engine's, not this run's


def test_the_report_says_what_graph_mode_did_not_record_instead_of_empty_tables(engine):
    html = render_html(as_tf_keras(engine, graph=True))
    step = _section(html, "train-step")
    assert 'id="graph-lesson"' in step and "train_step&#39;s Python" in step
    for what in (
        "The layers&#39; calls",
        "The loss",
        "The gradients",
        "The optimizer&#39;s updates",
    ):
        assert f"{what}: not recorded (in graph mode" in step, what
    assert "<th>gradient L2 norm</th>" not in step and "<th>update L2 norm</th>" not in step
    first_logs = next(e for e in engine.events if e.kind == "step" and e.data.get("full")).data[
        "logs"
    ]
    assert (
        f"<strong>{first_logs['loss']:.4g}</strong>" in step
    )  # the loss from the step's logs instead
    assert "not recorded: in graph mode the gradients stay inside the traced graph" in _section(
        html, "plots"
    )
    assert "Not recorded in this trace: the layers&#39; calls, the loss, the gradients" in html


def test_the_report_of_a_keras3_run_says_what_it_has_instead_of_a_data_handler(engine):
    html = render_html(as_keras3(engine, backend="jax"))
    adapters = _section(html, "adapters")
    assert "The EpochIterator and its data adapter" in adapters
    assert (
        "Keras 3 has no DataHandler" in adapters
        and "asks each of Keras&#39;s eight" not in adapters
    )
    assert "ArrayDataAdapter" in adapters and "accepts" in adapters
    step = _section(html, "train-step")
    assert 'id="symbolic-build"' in step and "<code>dense</code>, <code>dense_1</code>" in step
    assert "jax.jit traced" in step or "no jax.jit trace" in step
    assert "<code>jax.jit</code>" in _section(html, "train-function")


def test_the_sequence_diagram_names_the_real_participants(engine):
    k3 = sequence_model(as_keras3(engine, graph=False))
    assert "TensorFlowTrainer.fit" in k3.participants and "TFEpochIterator" in k3.participants
    assert "CompileLoss" in k3.participants and "CompileMetrics" in k3.participants
    assert "DataHandler" not in k3.participants and "LossesContainer" not in k3.participants
    assert "get_data_adapter:" in sequence_mermaid(as_keras3(engine, graph=False))
    tf = sequence_model(as_tf_keras(engine, graph=False))
    assert "Model.fit" in tf.participants and "DataHandler" in tf.participants


def test_the_sequence_diagram_notes_graph_mode_and_what_is_not_recorded(engine):
    trace = as_tf_keras(engine, graph=True)
    notes = [i.text for i in sequence_model(trace).items if isinstance(i, Note)]
    assert any(n.startswith("graph mode: train_step's Python ran only while") for n in notes)
    last = notes[-1]
    assert last.startswith("not recorded in this trace: the layers' calls, the loss, the gradients")
    assert "<svg" in sequence_svg(trace)
    assert (
        "LossesContainer" not in sequence_model(trace).participants
    )  # no box for a stage not there


def test_the_flowchart_has_the_real_numbers_and_marks_what_is_not_recorded(engine):
    trace = as_tf_keras(engine, graph=True)
    dot = flowchart_dot(trace)
    selected = next(e for e in trace.events if e.kind == "adapter_selected").data
    assert f"{selected['num_samples']} samples, batch {selected['batch_size']}" in dot
    assert f"last batch {selected['partial_batch_size']}" in dot
    assert "tf-keras 2.21.0 (TensorFlow backend)" in dot.splitlines()[1]
    assert (
        "compute_loss\\nsparse_categorical_crossentropy\\n(not recorded)" in dot
    )  # DOT's line breaks
    assert (
        "(its Python ran only while tracing)" in dot and "Model._assert_compile_was_called" in dot
    )
    no_graph = Trace(trace.header, [e for e in trace.events if e.kind != "graph_network"])
    assert "self(x, training=True)\\ndense → dense_1\\n(not recorded)" in flowchart_dot(no_graph)
    k3 = flowchart_dot(as_keras3(engine, backend="jax"))
    assert "TFEpochIterator → get_data_adapter" in k3 and "for begin_step, end_step, iterator" in k3
    assert "jax.jit, traced once per input signature" in k3 and "jax.value_and_grad" in k3
    assert "DataHandler" not in k3
    assert "(not recorded)" not in flowchart_dot(engine)


def test_the_call_graph_names_the_real_functions(engine):
    dot = callgraph_dot(as_keras3(engine, graph=False))
    assert "CompileLoss.__call__" in dot and "LossesContainer.__call__" not in dot
    assert "get_data_adapter" in dot and dot.splitlines()[1].count("Keras 3.15.0") == 1
    assert "no call was recorded" in callgraph_dot(Trace({}, []))


@pytest.mark.parametrize(
    "kinds",
    [
        {"step"},
        {"epoch", "step"},
        {"adapter_selected", "adapter_candidate"},
        {"callbacks_container", "callback_hook"},
        {"train_function"},
        {"fit"},
    ],
)
def test_every_renderer_copes_with_a_stage_missing_from_a_real_trace(engine, kinds):
    base = as_tf_keras(engine, graph=True)
    trace = Trace(base.header, [e for e in base.events if e.kind not in kinds], base.footer)
    html = render_html(trace)
    assert "</html>" in html
    for draw in (flowchart_dot, callgraph_dot, sequence_mermaid, sequence_svg):
        assert draw(trace)
    if "fit" not in kinds:
        absent = not_recorded(trace)
        assert set(absent) >= kinds - {"adapter_candidate", "callback_hook"}
        assert all(absent[k] in html.replace("&#39;", "'") for k in absent if k in kinds)


@pytest.mark.chromium
def test_reports_of_real_runs_in_headless_chromium(engine, tmp_path, chromium_path):
    from pathlib import Path

    from fittrace.render.report import render_report

    playwright = pytest.importorskip("playwright.sync_api")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        for name, trace in (("tf-keras", as_tf_keras(engine)), ("keras3", as_keras3(engine))):
            report = tmp_path / f"{name}.html"
            render_report(trace, report)
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            ran = page.locator("#ran-on").inner_text()
            assert ran.startswith("tf-keras 2.21.0" if name == "tf-keras" else "Keras 3.15.0"), ran
            assert page.locator("#graph-lesson").is_visible()
            assert page.locator("#train-step .not-recorded").count() >= 4  # said, not empty tables
            assert page.locator("#diagram-sequence svg").count() == 1
            assert page.locator("#diagram-flowchart svg").count() == 1
            if name == "keras3":
                assert page.locator("#keras3-data").is_visible()
                assert page.locator("#symbolic-build").is_visible()
            page.locator("#train-step").screenshot(path=str(artifacts / f"report-{name}-step.png"))
            page.keyboard.press("ArrowRight")
            assert page.evaluate("document.body.dataset.currentSeq") is not None
        browser.close()
    assert errors == []
    assert all(u.startswith(("file://", "data:")) for u in requests), requests


# --- real traces, made by the tests: tf_keras and Keras 3 fits traced in the TF-Keras interpreter -------------
# (marked keras_parity and slow one by one: the tests above run without TensorFlow)
@pytest.fixture(scope="module")
def real_runs(real_keras_python, tmp_path_factory):
    """The traces ``real_runs_scenarios.py`` wrote (one TF process), loaded here, with what History said."""
    from pathlib import Path

    from parity import run_side

    import fittrace

    folder = tmp_path_factory.mktemp("real")
    script = Path(__file__).with_name("real_runs_scenarios.py")
    reply = run_side(real_keras_python, script, "tf", str(folder))
    return {
        name: (fittrace.load(folder / case["file"]).trace, case) for name, case in reply.items()
    }


@pytest.mark.parametrize("name", ["tf_keras_graph", "tf_keras_eager", "keras3"])
@pytest.mark.keras_parity
@pytest.mark.slow
def test_every_renderer_draws_a_real_run(real_runs, name):
    from fittrace.render.report import diagram_sources

    trace, case = real_runs[name]
    root = "keras" if name == "keras3" else "tf_keras"
    assert root in (trace.header.get("bridge") or {})  # the trace attached to the framework
    html = render_html(trace)
    assert "</html>" in html and all(diagram_sources(trace).values())
    assert "<svg" in sequence_svg(trace)
    if not trace.events:
        pytest.skip(
            f"the {root} bridge in this checkout records nothing yet: rendered without crashing"
        )
    ran = ran_on(trace)
    assert ran.framework == root and ran.version == case["version"]
    assert f"Ran in {ran.label}" in html
    if root == "tf_keras":
        assert 'id="graph-lesson"' in html
        assert graph_lesson(trace).startswith("Graph mode:") == (name == "tf_keras_graph")
        assert "DataHandler" in sequence_model(trace).participants
    else:
        assert "DataHandler" not in sequence_model(trace).participants
        assert "Keras 3 has no DataHandler" in html
    if not any(e.kind == "fit" for e in trace.events):
        pytest.skip(
            f"the {root} bridge in this checkout records no fit span yet: the rest needs it"
        )
    assert f"on {ran.label}" in html.split("</title>")[0]
    logs = [e.data.get("logs") or {} for e in trace.events if e.kind == "epoch"]
    assert [entry.get("loss") for entry in logs] == pytest.approx(case["history"]["loss"], rel=1e-5)
    steps = next(e for e in trace.events if e.kind == "adapter_selected").data.get("steps")
    assert f"2 epochs × {steps} steps" in flowchart_dot(trace)
    from fittrace.analysis.stats import run_series

    series = run_series(trace)  # the plots: from the epochs' and the steps' logs
    assert {x.name for x in series.per_epoch} >= {"loss", "accuracy"} and series.per_step
    if name == "tf_keras_graph" and not series.grad_norms:
        assert "not recorded: in graph mode the gradients stay inside the traced graph" in html
    labels = [i.label for i in sequence_model(trace).items if hasattr(i, "label")]
    if name == "tf_keras_graph":  # the traced train_step saw a batch of unknown size
        assert any(text.startswith("train_step(data: symbolic batch)") for text in labels)
    page = html.replace("&#39;", "'")
    for text in not_recorded(trace).values():  # a stage not recorded is said so, not drawn empty
        assert text in page


@pytest.mark.chromium
@pytest.mark.keras_parity
@pytest.mark.slow
def test_a_real_runs_report_in_headless_chromium(real_runs, tmp_path, chromium_path):
    from fittrace.render.report import render_report

    playwright = pytest.importorskip("playwright.sync_api")
    errors = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, (trace, _) in real_runs.items():
            report = tmp_path / f"{name}.html"
            render_report(trace, report)
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("#overview").is_visible() and page.locator("#ran-on").count() == 1
            assert page.locator("#diagram-sequence svg").count() == 1
        browser.close()
    assert errors == []


def test_keras3_without_a_symbolic_build_says_why_for_its_backend(engine):
    from fittrace.analysis.real_runs import symbolic_note

    for backend, words in (
        ("tensorflow", "only under a distribution strategy"),
        ("jax", "not recorded"),
    ):
        k3 = as_keras3(engine, backend=backend)
        plain = [
            e for e in k3.events if not (e.keras or "").endswith("_symbolic_build")
        ]  # the stand-in for the symbolic build taken out, with what it held
        trace = Trace(
            k3.header, [e for e in plain if e.kind not in ("layer_build", "weight_created")]
        )
        assert symbolic_build(trace) is None and words in symbolic_note(trace)
        assert symbolic_note(trace) in render_html(trace).replace("&#39;", "'")
    assert symbolic_note(as_keras3(engine)) is None and symbolic_note(engine) is None


def test_keras3s_symbolic_build_event_is_drawn_and_told(engine):
    trace = as_keras3(engine, backend="jax", symbolic_kind=True)
    built = symbolic_build(trace)
    assert built["layers"] == ["dense", "dense_1"] and built["optimizer"]
    assert built["keras"] == "keras.src.trainers.trainer.Trainer._symbolic_build"
    notes = [i.text for i in sequence_model(trace).items if isinstance(i, Note)]
    assert any(n.startswith("jax.jit traces train_function for") for n in notes)
    labels = [i.label for i in sequence_model(trace).items if hasattr(i, "label")]
    symbolic = next(
        i for i, text in enumerate(labels) if "symbolic build, 2 layer(s) built" in text
    )
    builds = [i for i, text in enumerate(labels) if text.startswith("build((None")]
    assert builds and all(i > symbolic for i in builds)  # the layers' builds inside it, after it
    dot = flowchart_dot(trace)
    assert "Trainer._symbolic_build\\nbuilt: dense, dense_1\\n+ the optimizer's variables" in dot
    assert dot.index("  handler -> symbolic") < dot.index("  symbolic -> cbl")
    step = _section(render_html(trace), "train-step")
    assert "it built <code>dense</code>, <code>dense_1</code>, and the optimizer made its" in step


def test_the_report_shows_the_first_data_stages_candidates_and_symbolic_builds_as_such(engine):
    from fittrace.analysis.walkthrough import walkthrough
    from fittrace.tracing.events import Event

    trace = as_keras3(engine, backend="jax", symbolic_kind=True)
    rows = {b["layer"]: b["when"] for b in walkthrough(trace)["layers_built"]}
    assert rows["dense"].startswith("in Keras 3's symbolic build before the loop")
    # Keras 3 asks its chain again at every fit, evaluate and predict: the first call's candidates are shown
    chain = "keras.src.trainers.data_adapters.get_data_adapter"
    events = []
    for call in range(2):
        base = call * 3
        events.append(Event(base, "data_handler", "EpochIterator.__init__", base, chain, 5))
        for k, (cls, ok) in enumerate((("DataAdapter", False), ("ArrayDataAdapter", True))):
            events.append(
                Event(
                    base + 1 + k,
                    "adapter_candidate",
                    cls,
                    base + 1 + k,
                    chain,
                    parent=base,
                    data={"class": cls, "accepted": ok},
                )
            )
    shown = walkthrough(Trace(trace.header, events))["candidates"]
    assert [e.seq for e in shown] == [1, 2]
