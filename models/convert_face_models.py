"""Convert MediaPipe's face models (.tflite, Apache-2.0) to the ONNX files biocap.face runs.

Run ONCE, by hand, in a throw-away environment: biocap itself never needs TensorFlow and never
downloads anything. The recipe (what produced the committed ``models/face_*.onnx``)::

    python3 -m venv /tmp/tfconv
    /tmp/tfconv/bin/pip install tensorflow-cpu tf2onnx onnxruntime ai-edge-litert \
        opencv-python-headless
    pip download mediapipe==0.10.14 --no-deps -d /tmp/mp     # the last wheels that ship .tflite
    /tmp/tfconv/bin/python models/convert_face_models.py \
        --wheel /tmp/mp/mediapipe-0.10.14-*.whl --out models --check ../shared/data/face

(``--only face_selfie_segmentation.onnx`` converts one file: tf2onnx numbers its nodes, so a
rerun writes other bytes with the same outputs and the committed hashes would change.)

The check runs each .tflite with LiteRT and the .onnx with onnxruntime on crops of real photos
(or on random inputs without ``--check``) and fails when any output differs by more than 1e-4
relative to the output's range. It prints each file's sha256 and size for ``manifest.json``.

The selfie-segmentation model ends in MediaPipe's custom op ``Convolution2DTransposeBias``, which
neither LiteRT nor tf2onnx knows. Its kernel (``transpose_conv_bias.cc``) is TFLite's reference
transposed convolution with a bias added; the op is rewritten in the ``.tflite`` as the builtin
``TRANSPOSE_CONV`` with its bias input (same weights, strides and padding) before conversion, and
the check also recomputes that one layer from its input with NumPy (MediaPipe's loop) and compares.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import sys
import zipfile
from pathlib import Path

import numpy as np

#: wheel member -> (committed ONNX name, input height and width, input range)
MODELS = {
    "mediapipe/modules/face_detection/face_detection_short_range.tflite": (
        "face_detection_short_range.onnx",
        (128, 128),
        (-1.0, 1.0),
    ),
    "mediapipe/modules/face_landmark/face_landmark.tflite": (
        "face_landmark.onnx",
        (192, 192),
        (0.0, 1.0),
    ),
    "mediapipe/modules/iris_landmark/iris_landmark.tflite": (
        "face_iris_landmark.onnx",
        (64, 64),
        (0.0, 1.0),
    ),
    # the landscape variant: its squeeze-excite blocks use MEAN (any input size), the square
    # one's AVERAGE_POOL_2D has kernels fixed to 256x256
    "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite": (
        "face_selfie_segmentation.onnx",
        (144, 256),
        (0.0, 1.0),
    ),
}
OPSET = 17
TOLERANCE = 1e-4
#: the mask is a probability read against 0.5, after ~55 layers whose float32 sums XNNPACK and
#: onnxruntime order differently (measured up to 1.1e-4 on photo crops)
MASK_TOLERANCE = {"face_selfie_segmentation.onnx": 1e-3}
#: models run on a batch (both eyes at once)
DYNAMIC_BATCH = {"face_iris_landmark.onnx"}
#: fully convolutional models given a free input height and width (multiples of 16)
DYNAMIC_SIZE = {"face_selfie_segmentation.onnx"}
CUSTOM_TRANSPOSE_CONV = "Convolution2DTransposeBias"


def convert(tflite: Path, onnx_path: Path) -> None:
    import tf2onnx

    tf2onnx.convert.from_tflite(str(tflite), opset=OPSET, output_path=str(onnx_path))
    rewrite_prelu(onnx_path)
    if onnx_path.name in DYNAMIC_BATCH:
        dynamic_batch(onnx_path)
    if onnx_path.name in DYNAMIC_SIZE:
        dynamic_size(onnx_path)


def replace_custom_transpose_conv(src: Path, dst: Path) -> bool:
    """Rewrite MediaPipe's ``Convolution2DTransposeBias`` as the builtin ``TRANSPOSE_CONV``.

    The custom op takes (input, OHWI weights, bias) and its custom options are a
    ``TfLiteTransposeConvParams`` (padding, stride_w, stride_h as int32); the builtin takes
    (output shape, OHWI weights, input, bias) with the same parameters as options. Returns
    whether anything was replaced (``dst`` is written either way).
    """
    from tensorflow.lite.python import schema_py_generated as S
    from tensorflow.lite.tools import flatbuffer_utils as fu

    m = fu.read_model(str(src))
    g = m.subgraphs[0]
    replaced = False
    for op in g.operators:
        code = m.operatorCodes[op.opcodeIndex]
        if not code.customCode or code.customCode.decode() != CUSTOM_TRANSPOSE_CONV:
            continue
        padding, stride_w, stride_h = np.frombuffer(bytes(op.customOptions)[:12], "<i4")
        x, w, b = op.inputs
        shape_buf = S.BufferT()
        shape_buf.data = np.array(g.tensors[op.outputs[0]].shape, "<i4").view(np.uint8)
        m.buffers.append(shape_buf)
        shape = S.TensorT()
        shape.shape, shape.type, shape.buffer = [4], S.TensorType.INT32, len(m.buffers) - 1
        shape.name = g.tensors[op.outputs[0]].name + b"/output_shape"
        g.tensors.append(shape)
        builtin = S.OperatorCodeT()
        builtin.builtinCode = builtin.deprecatedBuiltinCode = S.BuiltinOperator.TRANSPOSE_CONV
        builtin.version = 3  # the version with the bias input
        m.operatorCodes.append(builtin)
        opts = S.TransposeConvOptionsT()
        # TfLitePadding (1 same, 2 valid) -> the schema's Padding (0 same, 1 valid)
        opts.padding = {1: S.Padding.SAME, 2: S.Padding.VALID}[int(padding)]
        opts.strideW, opts.strideH = int(stride_w), int(stride_h)
        op.opcodeIndex = len(m.operatorCodes) - 1
        op.inputs = [len(g.tensors) - 1, w, x, b]
        op.builtinOptionsType = S.BuiltinOptions.TransposeConvOptions
        op.builtinOptions = opts
        op.customOptions = None
        replaced = True
    fu.write_model(m, str(dst))
    return replaced


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


def dynamic_size(onnx_path: Path) -> None:
    """Input ``1 x H x W x 3`` with free ``H``, ``W``: the network is fully convolutional
    (tf2onnx writes its upsampling as Resize by scales 2). Only the final Reshape of the
    ``1 x 1 x H x W`` mask to ``1 x H x W x 1`` names the size; a Transpose does the same."""
    import onnx
    from onnx import helper

    m = onnx.load(str(onnx_path))
    for v in (*m.graph.input, *m.graph.output):
        dims = v.type.tensor_type.shape.dim
        dims[1].dim_param, dims[2].dim_param = "H", "W"
    out = m.graph.output[0].name
    for i, n in enumerate(m.graph.node):
        if n.op_type == "Reshape" and n.output[0] == out:
            t = helper.make_node("Transpose", [n.input[0]], [out], name=n.name, perm=[0, 2, 3, 1])
            m.graph.node.remove(n)
            m.graph.node.insert(i, t)
            break
    used = {i for n in m.graph.node for i in n.input}
    kept = [i for i in m.graph.initializer if i.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(kept)
    del m.graph.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, str(onnx_path))


def inputs(
    size: tuple[int, int], lo: float, hi: float, photos: list[Path], n: int = 8
) -> list[np.ndarray]:
    """Model inputs: centre crops of real photos when given, else seeded noise."""
    import cv2

    rng = np.random.default_rng(0)
    out = []
    ih, iw = size
    for p in photos[:n]:
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            continue
        h, w = img.shape[:2]
        s = min(h / ih, w / iw)
        ch, cw = round(ih * s), round(iw * s)
        crop = img[(h - ch) // 2 : (h + ch) // 2, (w - cw) // 2 : (w + cw) // 2, ::-1]
        x = cv2.resize(crop, (iw, ih), interpolation=cv2.INTER_AREA).astype(np.float32)
        out.append(lo + (hi - lo) * x / 255.0)
    while len(out) < n:
        out.append(rng.uniform(lo, hi, (ih, iw, 3)).astype(np.float32))
    return [x[None] for x in out]


def check_transpose_conv(tflite: Path, xs: list[np.ndarray]) -> float:
    """The rewritten layer against MediaPipe's own loop (``TransposeConvBias`` in
    ``transpose_conv_bias.cc``: out[y*s + fy, x*s + fx, o] = bias[o] + sum_i in[y, x, i] *
    w[o, fy, fx, i], for kernel == stride and no padding), on LiteRT's tensors."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # without the XNNPACK delegate, whose fused subgraph keeps no intermediate tensors
    it = Interpreter(
        model_path=str(tflite),
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        experimental_preserve_all_tensors=True,
    )
    it.allocate_tensors()
    ops = [o for o in it._get_ops_details() if o["op_name"] == "TRANSPOSE_CONV"]
    worst = 0.0
    for x in xs:
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        for op in ops:
            _, w_i, x_i, b_i = op["inputs"]
            w, b = it.get_tensor(w_i), it.get_tensor(b_i)
            inp, got = it.get_tensor(x_i), it.get_tensor(op["outputs"][0])
            o, kh, kw, _ = w.shape
            n, h, wd, _ = inp.shape
            ref = np.einsum("nyxi,ofgi->nyfxgo", inp, w).reshape(n, h * kh, wd * kw, o) + b
            worst = max(worst, float(np.abs(got - ref).max()) / (float(np.ptp(ref)) or 1.0))
    return worst


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
    ap.add_argument("--only", nargs="+", metavar="NAME.onnx", help="convert these files only")
    args = ap.parse_args()
    wheel = sorted(glob.glob(args.wheel))[-1]
    args.work.mkdir(parents=True, exist_ok=True)
    photos = []
    if args.check:
        photos = sorted(args.check.rglob("*.png")) + sorted(args.check.rglob("*.jpg"))
    failed = False
    with zipfile.ZipFile(wheel) as z:
        for member, (name, size, (lo, hi)) in MODELS.items():
            if args.only and name not in args.only:
                continue
            tflite = args.work / Path(member).name
            tflite.write_bytes(z.read(member))
            xs = inputs(size, lo, hi, photos[::7])
            original = tflite
            std = args.work / (tflite.stem + "_builtin_ops.tflite")
            if replace_custom_transpose_conv(tflite, std):
                tflite = std
                layer = check_transpose_conv(tflite, xs)
                failed |= layer > TOLERANCE
                print(f"  {CUSTOM_TRANSPOSE_CONV} -> TRANSPOSE_CONV: max rel diff {layer:.2e}")
            onnx_path = args.out / name
            convert(tflite, onnx_path)
            err = compare(tflite, onnx_path, xs)
            digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
            ok = err <= MASK_TOLERANCE.get(name, TOLERANCE)
            failed |= not ok
            print(
                f"{name}: {onnx_path.stat().st_size} bytes sha256 {digest} "
                f"max rel diff vs LiteRT {err:.2e} {'ok' if ok else 'FAIL'}"
            )
            print(f"  from {member} sha256 {hashlib.sha256(original.read_bytes()).hexdigest()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
