"""Test helpers: photo-like images made on the spot, and tiny random-weight models saved the
way `save_pretrained` saves real ones, so they load through the same resolver users hit."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

TINY_SIZE = 56  # 4x4 patches of 14 px: fast on a CPU, same code path as 224


def photo(seed: int, size=(320, 240)) -> Image.Image:
    """A seed-specific, photo-like picture: smooth gradients, fine texture and sharp-edged
    shapes, so copies survive resizing and re-encoding and keypoints can be matched."""
    import cv2

    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 3, 2).tolist() + [rng.uniform(0, 6.28)]
        img[..., c] = 110 + 60 * np.sin(fx * 6.28 * xx / w + fy * 6.28 * yy / h + phase)
    grain = rng.normal(0, 40, (max(2, h // 8), max(2, w // 8), 3)).astype(np.float32)
    img += cv2.resize(grain, (w, h), interpolation=cv2.INTER_CUBIC)
    for _ in range(18):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(6, max(8, w // 6)))
        colour = tuple(float(v) for v in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            cv2.circle(img, (x, y), r, colour, -1)
        else:
            cv2.rectangle(img, (x, y), (x + r, y + int(r * rng.uniform(0.5, 1.5))), colour, -1)
    return Image.fromarray(img.clip(0, 255).astype(np.uint8))


def smooth_photo(seed: int, size=(320, 240)) -> Image.Image:
    """A smooth picture (gradients and soft blobs) with too little texture for keypoints,
    like fog or a clear sky."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx /= w
    yy /= h
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 4, 2).tolist() + [rng.uniform(0, 6.28)]
        img[..., c] = 0.5 + 0.25 * np.sin(fx * 6.28 * xx + fy * 6.28 * yy + phase)
    for _ in range(6):
        cx, cy, r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.25)
        mask = (xx - cx) ** 2 + ((yy - cy) * h / w) ** 2 < r ** 2
        img[mask] = rng.uniform(0, 1, 3)
    return Image.fromarray((img * 255).clip(0, 255).astype(np.uint8))


def save(image: Image.Image, path: Path, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
    return path


def tree_hashes(root: Path) -> dict[str, str]:
    import hashlib

    out = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            p = Path(folder) / name
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def build_tiny_dinov2(model_dir: Path, hub_id: str = "facebook/dinov2-small") -> Path:
    import torch
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    folder = model_dir / hub_id
    config = Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                          intermediate_size=64, patch_size=14, image_size=TINY_SIZE)
    Dinov2Model(config).save_pretrained(folder)
    BitImageProcessor(size={"shortest_edge": TINY_SIZE}, crop_size={"height": TINY_SIZE, "width": TINY_SIZE},
                      do_center_crop=True, image_mean=[0.485, 0.456, 0.406],
                      image_std=[0.229, 0.224, 0.225]).save_pretrained(folder)
    return folder


def build_tiny_clip(model_dir: Path, hub_id: str = "openai/clip-vit-base-patch32") -> Path:
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizerFast
    from transformers.models.clip.tokenization_clip import bytes_to_unicode

    torch.manual_seed(1)
    folder = model_dir / hub_id
    folder.mkdir(parents=True, exist_ok=True)
    # A byte-level BPE vocabulary with no merges: every byte is a token, built offline.
    chars = list(bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    scratch = folder / "_tok"
    scratch.mkdir()
    (scratch / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (scratch / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizerFast(vocab_file=str(scratch / "vocab.json"),
                                  merges_file=str(scratch / "merges.txt"))
    tokenizer.save_pretrained(folder)
    for p in scratch.iterdir():
        p.unlink()
    scratch.rmdir()
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "num_hidden_layers": 2,
                     "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 77},
        vision_config={"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                       "intermediate_size": 64, "image_size": TINY_SIZE, "patch_size": 14},
        projection_dim=16)
    CLIPModel(config).save_pretrained(folder)
    CLIPImageProcessor(size={"shortest_edge": TINY_SIZE},
                       crop_size={"height": TINY_SIZE, "width": TINY_SIZE}).save_pretrained(folder)
    return folder
