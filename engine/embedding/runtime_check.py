"""Proof that ONNX Runtime works in this installation (the frozen app's self-test uses it).

Owns: building a tiny ONNX graph in memory (onnx.helper), running it with onnxruntime on the
CPU, and checking the answer. Must not: read a model file, touch the network (telemetry is off
before the import) or run at import time.
"""
from __future__ import annotations

import os


def check_onnx_runtime() -> str:
    """Runs y = x @ W + b on a 2x3 input; returns one line naming the runtime, or raises."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    if hasattr(ort, "disable_telemetry_events"):
        ort.disable_telemetry_events()
    weights = np.arange(12, dtype=np.float32).reshape(3, 4)
    bias = np.ones(4, dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
        "self_test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(bias, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.array([[1, 2, 3], [0, -1, 0.5]], dtype=np.float32)
    y = session.run(None, {"x": x})[0]
    if not np.allclose(y, x @ weights + bias, atol=1e-5):
        raise RuntimeError("onnxruntime gave a wrong answer for a tiny test graph")
    return f"onnxruntime {ort.__version__} ran a test graph on the CPU"
