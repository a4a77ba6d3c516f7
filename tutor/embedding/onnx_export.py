"""Writing the packaged MiniLM as an ONNX graph (BERT, mean pooling, L2 normalisation), with
its weights in a side file that onnxruntime maps at load instead of parsing.

The graph is built from the safetensors weights rather than traced by `torch.onnx.export`
(which needs torch and transformers imported: 12 s instead of 1 s here, same vectors).
Layouts it does not reproduce raise `FastPathUnavailable`, and the embedder uses torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tutor.core.errors import FastPathUnavailable

log = logging.getLogger(__name__)

EXPORT_VERSION = 3  # bump when the written graph changes, so cached exports are rebuilt
# 3: weights in a side file (`weights_path`), mapped rather than parsed at load


def read_model_spec(model_path: Path) -> dict[str, Any]:
    """The settings the graph needs, for the one layout it reproduces.

    That layout is a BERT encoder (absolute positions, exact GELU), mean pooling over the
    attention mask and optional normalisation, with a fast tokenizer and safetensors weights.

    Raises:
        FastPathUnavailable: the model is laid out differently.
    """
    def load(name: str) -> Any:
        return json.loads((model_path / name).read_text(encoding="utf-8"))

    try:
        kinds = [m["type"].rsplit(".", 1)[-1] for m in load("modules.json")]
        pooling, st_config, config = (load("1_Pooling/config.json"),
                                      load("sentence_bert_config.json"), load("config.json"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FastPathUnavailable(f"cannot read the model layout ({exc})") from exc
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode") and v)
    checks = {  # what the graph reproduces -> whether this model has it
        f"modules {kinds}": kinds[:2] == ["Transformer", "Pooling"]
        and set(kinds[2:]) <= {"Normalize"},
        f"pooling {modes}": modes == ["pooling_mode_mean_tokens"],
        "lower-casing before tokenizing": not st_config.get("do_lower_case"),
        f"model type {config.get('model_type')}": config.get("model_type") == "bert",
        f"activation {config.get('hidden_act')}": config.get("hidden_act") == "gelu",
        "relative positions": config.get("position_embedding_type", "absolute") == "absolute",
        "no tokenizer.json": (model_path / "tokenizer.json").exists(),
        "no model.safetensors": (model_path / "model.safetensors").exists(),
    }
    failed = [reason for reason, ok in checks.items() if not ok]
    if failed:
        raise FastPathUnavailable("unsupported model: " + ", ".join(failed))
    window = min(int(st_config.get("max_seq_length") or 512),
                 int(config["max_position_embeddings"]))
    return {"max_seq_length": window, "hidden_size": int(config["hidden_size"]),
            "heads": int(config["num_attention_heads"]), "layers": int(config["num_hidden_layers"]),
            "eps": float(config.get("layer_norm_eps", 1e-12))}


def model_fingerprint(model_path: Path) -> str:
    """Identifies the model files and the graph recipe, so a changed model is re-exported."""
    digest = hashlib.sha256(f"export-v{EXPORT_VERSION}".encode())
    for name in ["config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                 "1_Pooling/config.json"]:
        path = model_path / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    weights = model_path / "model.safetensors"
    if weights.exists():
        stat = weights.stat()
        digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def weights_path(onnx_path: Path) -> Path:
    """Where the graph's weights live: a side file that onnxruntime maps instead of parsing
    (a session opens in 0.03 s instead of 0.15-0.25 s with the weights inside the graph)."""
    return onnx_path.with_name(onnx_path.name + ".data")


def export_onnx(model_path: Path, onnx_path: Path) -> None:
    """Write the model as an ONNX graph (token ids in, normalised sentence vectors out) and its
    weights file beside it (`weights_path`).

    Both are written in a private folder and renamed into place, weights first, so a concurrent
    reader never sees half a model.

    Raises:
        FastPathUnavailable: onnx or safetensors is missing, or the files cannot be written.
    """
    spec = read_model_spec(model_path)
    try:
        import onnx
        from safetensors import SafetensorError
        from safetensors.numpy import load_file
    except ImportError as exc:
        raise FastPathUnavailable(f"writing the onnx model needs `{exc.name}`") from exc
    log.info("writing the embedding model as onnx to %s (once)", onnx_path)
    try:
        model = GraphWriter(load_file(str(model_path / "model.safetensors"))).sentence_encoder(spec)
    except KeyError as exc:
        raise FastPathUnavailable(f"the weights lack {exc}") from exc
    except (SafetensorError, OSError) as exc:  # a damaged or unreadable weights file
        raise FastPathUnavailable(f"cannot read the weights ({exc})") from exc
    data_path = weights_path(onnx_path)
    try:
        onnx_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=onnx_path.parent, prefix=".export-") as tmp:
            staged = Path(tmp) / onnx_path.name
            onnx.save_model(model, str(staged), save_as_external_data=True,
                            all_tensors_to_one_file=True, location=data_path.name,
                            size_threshold=1024)
            os.replace(staged.with_name(data_path.name), data_path)
            os.replace(staged, onnx_path)
    except OSError as exc:
        raise FastPathUnavailable(f"cannot write {onnx_path} ({exc})") from exc


class GraphWriter:
    """Writes BERT + mean pooling as ONNX nodes.

    The layers use onnxruntime's fused CPU kernels (com.microsoft `Attention`,
    `SkipLayerNormalization`, `BiasGelu`): 9% faster per query than plain ONNX ops, same maths.
    """

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self._weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def const(self, value: Any, dtype: Any = np.float32) -> str:
        name = f"const_{len(self.initializers)}"
        self.initializers.append(self._numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def weight(self, *keys: str, transpose: bool = False) -> str:
        """One initializer from one or more tensors (joined on the last axis)."""
        # torch keeps Linear weights as (out, in); MatMul wants (in, out)
        parts = [self._weights[k].T if transpose else self._weights[k] for k in keys]
        return self.const(np.ascontiguousarray(np.concatenate(parts, axis=-1)))

    def op(self, op_type: str, *inputs: str, output: str | None = None, fused: bool = False,
           **attrs: Any) -> str:
        output = output or f"{op_type.lower()}_{len(self.nodes)}"
        domain = "com.microsoft" if fused else None
        self.nodes.append(self._helper.make_node(op_type, list(inputs), [output], domain=domain,
                                                 **attrs))
        return output

    def embeddings(self, eps: float) -> str:
        width = self.op("Shape", "input_ids", start=1, end=2)
        positions = self.op("Slice", self.weight("embeddings.position_embeddings.weight"),
                            self.const([0], np.int64), width, self.const([0], np.int64))
        words = self.op("Gather", self.weight("embeddings.word_embeddings.weight"), "input_ids")
        types = self.op("Gather", self.weight("embeddings.token_type_embeddings.weight"),
                        "token_type_ids")
        summed = self.op("Add", self.op("Add", words, types), positions)
        return self.op("LayerNormalization", summed, self.weight("embeddings.LayerNorm.weight"),
                       self.weight("embeddings.LayerNorm.bias"), axis=-1, epsilon=eps)

    def add_norm(self, x: str, residual: str, prefix: str, eps: float) -> str:
        """LayerNorm(x @ W + b + residual), the step after attention and after the MLP."""
        product = self.op("MatMul", x, self.weight(f"{prefix}.dense.weight", transpose=True))
        return self.op("SkipLayerNormalization", product, residual,
                       self.weight(f"{prefix}.LayerNorm.weight"),
                       self.weight(f"{prefix}.LayerNorm.bias"),
                       self.weight(f"{prefix}.dense.bias"), fused=True, epsilon=eps)

    def layer(self, x: str, mask: str, prefix: str, spec: dict[str, Any]) -> str:
        qkv = [f"{prefix}.attention.self.{name}" for name in ("query", "key", "value")]
        context = self.op("Attention", x,
                          self.weight(*[f"{p}.weight" for p in qkv], transpose=True),
                          self.weight(*[f"{p}.bias" for p in qkv]), mask,
                          fused=True, num_heads=spec["heads"])
        x = self.add_norm(context, x, f"{prefix}.attention.output", spec["eps"])
        hidden = self.op("MatMul", x, self.weight(f"{prefix}.intermediate.dense.weight",
                                                  transpose=True))
        hidden = self.op("BiasGelu", hidden, self.weight(f"{prefix}.intermediate.dense.bias"),
                         fused=True)  # exact (erf) GELU, as BERT uses
        return self.add_norm(hidden, x, f"{prefix}.output", spec["eps"])

    def mean_pool(self, x: str) -> str:
        """Mean of the unmasked token vectors, L2-normalised, as sentence-transformers does."""
        weights = self.op("Unsqueeze", self.op("Cast", "attention_mask", to=1),  # to float
                          self.const([-1], np.int64))
        axis = self.const([1], np.int64)
        total = self.op("ReduceSum", self.op("Mul", x, weights), axis, keepdims=0)
        count = self.op("Max", self.op("ReduceSum", weights, axis, keepdims=0), self.const(1e-9))
        pooled = self.op("Div", total, count)
        norm = self.op("Max", self.op("ReduceL2", pooled, axes=[1], keepdims=1),
                       self.const(1e-12))
        return self.op("Div", pooled, norm, output="sentence_embedding")

    def sentence_encoder(self, spec: dict[str, Any]) -> Any:
        """The whole model: ids, mask and token types in; `sentence_embedding` and the last
        layer's `token_embeddings` out."""
        helper, onnx_float, onnx_int64, onnx_int32 = self._helper, 1, 7, 6  # TensorProto codes
        mask = self.op("Cast", "attention_mask", to=onnx_int32)  # Attention's 2-D key mask
        x = self.embeddings(spec["eps"])
        for i in range(spec["layers"]):
            x = self.layer(x, mask, f"encoder.layer.{i}", spec)
        self.mean_pool(x)
        self.op("Identity", x, output="token_embeddings")
        inputs = [helper.make_tensor_value_info(name, onnx_int64, ["batch", "tokens"])
                  for name in ("input_ids", "attention_mask", "token_type_ids")]
        outputs = [helper.make_tensor_value_info("sentence_embedding", onnx_float,
                                                 ["batch", spec["hidden_size"]]),
                   helper.make_tensor_value_info("token_embeddings", onnx_float,
                                                 ["batch", "tokens", spec["hidden_size"]])]
        graph = helper.make_graph(self.nodes, "sentence_encoder", inputs, outputs,
                                  self.initializers)
        opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="tutor")
        model.ir_version = 8  # readable by every onnxruntime that supports opset 17
        return model
