"""Throughput of Lookalike's scan pipeline on a folder of photos.

For each model: decode-only (reading + draft decoding in the decode pool), model-only
(preprocessing + inference on already-decoded pictures, so pHash's hashing counts) and end-to-end (real `Library.scan`s into
fresh libraries: walk, hash, decode, embed, catalog, index) in images per second, each mode
repeated for at least --min-seconds, with the peak resident memory of its own process and the
ceiling the decode and model rates allow together.

    python bench/speed.py ../shared/photos --model sscd --model phash [--json out.json]
    python bench/speed.py ../shared/photos --random dinov2-small --runtime torch --runtime auto

--random builds the named models' real architectures with random weights (speed does not
depend on the weights) into --random-dir, and --runtime runs each model once per CPU runtime
(LOOKALIKE_RUNTIME: torch, onnx-fp32, onnx-int8, or auto = what the load check picks).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNTIMES = ("auto", "torch", "onnx-fp32", "onnx-int8")


def images_in(folder: Path) -> list[str]:
    from lookalike.engine.scanning.walk import walk

    return [f.path for f in walk([(0, str(folder))]).files]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_random(model_dir: Path, names: list[str]) -> None:
    """Full-size random-weight DINOv2-small (ViT-S/14) and CLIP ViT-B/32, with their real
    configs and preprocessing, saved the way save_pretrained saves the real ones."""
    import torch
    from transformers import (BitImageProcessor, CLIPConfig, CLIPImageProcessor, CLIPModel,
                              Dinov2Config, Dinov2Model)

    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import build_tiny_clip  # its offline tokenizer

    torch.manual_seed(0)
    if "dinov2-small" in names and not (model_dir / "facebook/dinov2-small/config.json").is_file():
        folder = model_dir / "facebook/dinov2-small"
        Dinov2Model(Dinov2Config(hidden_size=384, num_hidden_layers=12, num_attention_heads=6,
                                 mlp_ratio=4, patch_size=14, image_size=518)).save_pretrained(folder)
        BitImageProcessor(size={"shortest_edge": 256}, crop_size={"height": 224, "width": 224},
                          do_center_crop=True, image_mean=[0.485, 0.456, 0.406],
                          image_std=[0.229, 0.224, 0.225]).save_pretrained(folder)
    if "clip-b32" in names and not (model_dir / "openai/clip-vit-base-patch32/config.json").is_file():
        folder = build_tiny_clip(model_dir)
        CLIPModel(CLIPConfig(projection_dim=512, vision_config={"patch_size": 32},
                             text_config={"vocab_size": 49408})).save_pretrained(folder)
        CLIPImageProcessor(size={"shortest_edge": 224},
                           crop_size={"height": 224, "width": 224}).save_pretrained(folder)


def child(mode: str, model_name: str, folder: Path, model_dir: str | None, min_seconds: float) -> dict:
    from lookalike.engine.embedding import loader
    from lookalike.engine.scanning.decode import decode
    from lookalike.engine.scanning.pipeline import default_threads, ordered_map

    paths = images_in(folder)
    if mode == "end-to-end":
        from lookalike.engine import Library

        images, seconds, scans = 0, 0.0, 0
        while scans == 0 or seconds < min_seconds:  # whole scans into fresh libraries
            with tempfile.TemporaryDirectory() as tmp, Library.open(tmp, model_dir=model_dir) as library:
                library.settings.text_search = False
                library.add_folder(folder)
                model = library.embedder(model_name)  # loading is a one-off cost, not throughput
                start = time.perf_counter()
                summary = library.scan(model=model_name)
                seconds += time.perf_counter() - start
                images += summary.embedded
                scans += 1
        return {"images": images, "seconds": seconds, "scans": scans, "peak_mb": peak_mb(),
                "precision": model.precision}

    model = loader.load(model_name, model_dir)

    def prepare(path):
        return decode(path, min_side=model.input_size).image

    if mode == "decode":
        start, count = time.perf_counter(), 0
        while True:
            for _ in ordered_map(prepare, paths, default_threads()):
                count += 1
            if time.perf_counter() - start >= min_seconds:
                break
        return {"images": count, "seconds": time.perf_counter() - start, "peak_mb": peak_mb(),
                "threads": default_threads()}

    pictures = [prepare(p) for p in paths]
    model.embed_images(pictures[: model.batch_size])  # warm-up
    start, count = time.perf_counter(), 0
    while True:
        for i in range(0, len(pictures), model.batch_size):
            model.embed_images(pictures[i:i + model.batch_size])
        count += len(pictures)
        if time.perf_counter() - start >= min_seconds:
            break
    return {"images": count, "seconds": time.perf_counter() - start, "peak_mb": peak_mb(),
            "device": model.device, "precision": model.precision, "batch": model.batch_size}


def ceiling(decode_rate: float, model_rate: float, device: str) -> float:
    """Images/s the pipeline could reach at best, given its decode-only and model-only rates,
    each measured with the whole machine."""
    if device == "cpu":
        return 1 / (1 / decode_rate + 1 / model_rate)
    return min(decode_rate, model_rate)


def upscaled(folder: Path, target: Path, megapixels: float, count: int | None) -> Path:
    """High-resolution camera-like JPEGs (quality 92) made by upscaling the folder's photos."""
    from PIL import Image

    sources = images_in(folder)[:count]
    for i, path in enumerate(sources):
        with Image.open(path) as img:
            img = img.convert("RGB")
            scale = (megapixels * 1e6 / (img.width * img.height)) ** 0.5
            img.resize((round(img.width * scale), round(img.height * scale)), Image.BICUBIC).save(
                target / f"{i:03d}.jpg", quality=92)
    return target


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu}, {os.cpu_count()} cores, {gpu}, Python {platform.python_version()}, torch {torch.__version__}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", action="append", dest="models")
    parser.add_argument("--model-dir")
    parser.add_argument("--min-seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--upscale", type=float, metavar="MP",
                        help="first make JPEGs of this many megapixels from the folder's photos")
    parser.add_argument("--count", type=int, help="how many photos --upscale makes (default: all)")
    parser.add_argument("--random", help="comma-separated: dinov2-small,clip-b32 with random weights")
    parser.add_argument("--random-dir", type=Path, default=ROOT / ".venv" / "random-models")
    parser.add_argument("--runtime", action="append", dest="runtimes", choices=RUNTIMES,
                        help="CPU runtime per row (repeatable; default: auto)")
    parser.add_argument("--build-random", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_random:
        build_random(args.random_dir, args.random.split(","))
        return 0
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.folder, args.model_dir, args.min_seconds)))
        return 0

    models = args.models or ["sscd", "phash"]
    if args.random:
        models = args.models or args.random.split(",")
        # In a child: the children measured after it would inherit this process's peak memory.
        subprocess.run([sys.executable, __file__, str(args.folder), "--build-random", "--random",
                        args.random, "--random-dir", str(args.random_dir)], check=True)
        args.model_dir = str(args.random_dir)
    runtimes = args.runtimes or ["auto"]
    if args.upscale:
        scratch = tempfile.TemporaryDirectory()
        args.folder = upscaled(args.folder, Path(scratch.name), args.upscale, args.count)
    rows = []
    for name in models:
        decoded = None  # decoding does not depend on the runtime: measured once per model
        for runtime in runtimes:
            row = {"model": name, "runtime": runtime}
            for mode in ("decode", "inference", "end-to-end"):
                if mode == "decode" and decoded is not None:
                    row[mode] = decoded
                    continue
                cmd = [sys.executable, __file__, str(args.folder), "--child", mode, name,
                       "--min-seconds", str(args.min_seconds)]
                if args.model_dir:
                    cmd += ["--model-dir", args.model_dir]
                env = dict(os.environ, LOOKALIKE_RUNTIME=runtime)
                out = subprocess.run(cmd, capture_output=True, text=True, env=env)
                if out.returncode != 0:
                    print(f"{name} {mode} failed: {out.stderr.strip().splitlines()[-1]}", file=sys.stderr)
                    row[mode] = None
                    continue
                result = json.loads(out.stdout.strip().splitlines()[-1])
                result["per_second"] = result["images"] / result["seconds"]
                row[mode] = result
            decoded = row["decode"]
            rows.append(row)

    count = len(images_in(args.folder))
    size = f" ({args.upscale:g} MP JPEGs made from the photos)" if args.upscale else ""
    print(f"{count} images{size} in {args.folder}; {machine()}\n")
    print("| model | decode-only img/s | model-only img/s | end-to-end img/s | end-to-end / model-only "
          "| ceiling img/s | end-to-end / ceiling | peak MB (decode / model / e2e) |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        modes = ("decode", "inference", "end-to-end")
        cells = [f"{row[m]['per_second']:.1f}" if row.get(m) else "failed" for m in modes]
        ratio = limit = share = "-"
        if row.get("end-to-end") and row.get("inference"):
            ratio = f"{row['end-to-end']['per_second'] / row['inference']['per_second']:.0%}"
        if all(row.get(m) for m in modes):
            row["ceiling"] = ceiling(row["decode"]["per_second"], row["inference"]["per_second"],
                                     row["inference"].get("device", "cpu"))
            limit = f"{row['ceiling']:.1f}"
            share = f"{row['end-to-end']['per_second'] / row['ceiling']:.0%}"
        mem = " / ".join(f"{row[m]['peak_mb']:.0f}" if row.get(m) else "-" for m in modes)
        extra = (f" ({row['inference']['precision']}, batch {row['inference']['batch']})"
                 if row.get("inference") else "")
        if row["runtime"] != "auto":
            extra = f" [{row['runtime']}]{extra}"
        if args.random:
            extra += " random weights"
        print(f"| {row['model']}{extra} | {cells[0]} | {cells[1]} | {cells[2]} | {ratio} | {limit} "
              f"| {share} | {mem} |")
    print("\nceiling: the best end-to-end rate these two measurements allow. On the CPU, decoding and "
          "the model share the same cores, so each picture costs both: 1 / (1/decode + 1/model). "
          "With the model on a GPU they overlap: min(decode, model).")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine(), "images": count, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
