"""Convert MediaPipe's face models (.tflite, Apache-2.0) to the ONNX files biocap.face runs.

Run ONCE, by hand, in a throw-away environment: biocap itself never needs TensorFlow and never
downloads anything. The recipe (what produced the committed ``models/face_*.onnx``)::

    python3 -m venv /tmp/tfconv
    /tmp/tfconv/bin/pip install tensorflow-cpu tf2onnx onnxruntime ai-edge-litert \
        opencv-python-headless
    pip download mediapipe==0.10.14 --no-deps -d /tmp/mp     # the last wheels that ship .tflite
    /tmp/tfconv/bin/python models/convert_face_models.py \
        --wheel /tmp/mp/mediapipe-0.10.14-*.whl --out models --check ../shared/data/face

The check runs each .tflite with LiteRT and the .onnx with onnxruntime on crops of real photos
(or on random inputs without ``--check``) and fails when any output differs by more than 1e-4
relative to the output's range. It prints each file's sha256 and size for ``manifest.json``.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import sys
import zipfile
from pathlib import Path

import numpy as np

#: wheel member -> (committed ONNX name, input side, input range)
MODELS = {
    "mediapipe/modules/face_detection/face_detection_short_range.tflite": (
        "face_detection_short_range.onnx",
        128,
        (-1.0, 1.0),
    ),
    "mediapipe/modules/face_landmark/face_landmark.tflite": ("face_landmark.onnx", 192, (0.0, 1.0)),
    "mediapipe/modules/iris_landmark/iris_landmark.tflite": (
        "face_iris_landmark.onnx",
        64,
        (0.0, 1.0),
    ),
}
OPSET = 17
TOLERANCE = 1e-4
#: models run on a batch (both eyes at once)
DYNAMIC_BATCH = {"face_iris_landmark.onnx"}


def convert(tflite: Path, onnx_path: Path) -> None:
    import tf2onnx

    tf2onnx.convert.from_tflite(str(tflite), opset=OPSET, output_path=str(onnx_path))
    rewrite_prelu(onnx_path)
    if onnx_path.name in DYNAMIC_BATCH:
        dynamic_batch(onnx_path)


def rewrite_prelu(onnx_path: Path) -> None:
    """``PRelu(x, s)`` -> ``DwConv1x1(x, s) + DwConv1x1(Relu(x), 1 - s)``: the same numbers.

    onnxruntime's CPU PRelu is slow and has no blocked (NCHWc) kernel, so every PRelu also pays
    two layout reorders. Written as two per-channel 1x1 (depthwise) convolutions and an Add,
    everything stays in the blocked layout: on one core the mesh went from 6.8 (PRelu) and 3.5
    (``Relu(x) + s * (x - Relu(x))``, the first rewrite) to 2.5 ms, the iris model from 6.5 and
    4.1 to 2.8 ms. Differences to the PRelu graph ~3e-5 (float rounding of ``s*x + (1-s)*x``).
    """
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(str(onnx_path))
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    nodes, weights, slopes = [], [], set()
    for n in m.graph.node:
        if n.op_type != "PRelu":
            nodes.append(n)
            continue
        x, s_name, o = n.input[0], n.input[1], n.output[0]
        s = init[s_name].reshape(-1).astype(np.float32)
        slopes.add(s_name)
        for tag, w in (("neg", s), ("pos", 1.0 - s)):
            weights.append(numpy_helper.from_array(w.reshape(-1, 1, 1, 1), f"{o}_{tag}_w"))
        conv = {"group": s.size, "kernel_shape": [1, 1]}
        nodes += [
            helper.make_node("Relu", [x], [o + "_relu"], name=o + "_relu"),
            helper.make_node("Conv", [x, o + "_neg_w"], [o + "_a"], name=o + "_neg", **conv),
            helper.make_node(
                "Conv", [o + "_relu", o + "_pos_w"], [o + "_b"], name=o + "_pos", **conv
            ),
            helper.make_node("Add", [o + "_a", o + "_b"], [o], name=o + "_add"),
        ]
    used = {i for n in nodes for i in n.input}
    kept = [i for i in m.graph.initializer if i.name in used]
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    del m.graph.initializer[:]
    m.graph.initializer.extend(kept + weights)
    onnx.checker.check_model(m)
    onnx.save(m, str(onnx_path))


def dynamic_batch(onnx_path: Path) -> None:
    """Batch dimension ``N`` instead of 1, so both eyes run in one call (~20 % faster than two).

    The heads' ``Reshape(.., [1, -1])`` become ``[0, -1]`` (0 = keep the batch size).
    """
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(onnx_path))
    for v in (*m.graph.input, *m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_param = "N"
    shapes = {n.input[1] for n in m.graph.node if n.op_type == "Reshape"}
    for i in m.graph.initializer:
        if i.name in shapes and numpy_helper.to_array(i).tolist() == [1, -1]:
            i.CopyFrom(numpy_helper.from_array(np.array([0, -1], np.int64), i.name))
    del m.graph.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, str(onnx_path))


def inputs(side: int, lo: float, hi: float, photos: list[Path], n: int = 8) -> list[np.ndarray]:
    """Model inputs: centre crops of real photos when given, else seeded noise."""
    import cv2

    rng = np.random.default_rng(0)
    out = []
    for p in photos[:n]:
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            continue
        h, w = img.shape[:2]
        s = min(h, w)
        crop = img[(h - s) // 2 : (h + s) // 2, (w - s) // 2 : (w + s) // 2, ::-1]
        x = cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
        out.append(lo + (hi - lo) * x / 255.0)
    while len(out) < n:
        out.append(rng.uniform(lo, hi, (side, side, 3)).astype(np.float32))
    return [x[None] for x in out]


def compare(tflite: Path, onnx_path: Path, xs: list[np.ndarray]) -> float:
    """Worst output difference, relative to each output's range over the inputs."""
    import onnxruntime as ort
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(tflite))
    it.allocate_tensors()
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    out_names = [o.name for o in sess.get_outputs()]
    worst = 0.0
    for x in xs:
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        ref = {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}
        got = dict(zip(out_names, sess.run(None, {sess.get_inputs()[0].name: x}), strict=True))
        for name, r in ref.items():
            g = got[name].reshape(r.shape)
            span = float(np.ptp(r)) or 1.0
            worst = max(worst, float(np.abs(g - r).max()) / span)
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", required=True, help="mediapipe-0.10.14 wheel (glob ok)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    ap.add_argument("--work", type=Path, default=Path("/tmp/biocap_face_convert"))
    ap.add_argument("--check", type=Path, help="folder of face photos for the comparison")
    args = ap.parse_args()
    wheel = sorted(glob.glob(args.wheel))[-1]
    args.work.mkdir(parents=True, exist_ok=True)
    photos = []
    if args.check:
        photos = sorted(args.check.rglob("*.png")) + sorted(args.check.rglob("*.jpg"))
    failed = False
    with zipfile.ZipFile(wheel) as z:
        for member, (name, side, (lo, hi)) in MODELS.items():
            tflite = args.work / Path(member).name
            tflite.write_bytes(z.read(member))
            onnx_path = args.out / name
            convert(tflite, onnx_path)
            err = compare(tflite, onnx_path, inputs(side, lo, hi, photos[::7]))
            digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
            ok = err <= TOLERANCE
            failed |= not ok
            print(
                f"{name}: {onnx_path.stat().st_size} bytes sha256 {digest} "
                f"max rel diff vs LiteRT {err:.2e} {'ok' if ok else 'FAIL'}"
            )
            print(f"  from {member} sha256 {hashlib.sha256(tflite.read_bytes()).hexdigest()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
