"""Test helpers: photo-like images made on the spot, and tiny random-weight models saved the
way `save_pretrained` saves real ones, so they load through the same resolver users hit."""
from __future__ import annotations

import io
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


def texture(seed: int, size=(640, 480)) -> Image.Image:
    """A detailed, photo-like texture with plenty of corners for keypoints."""
    import cv2

    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (size[1] // 4, size[0] // 4, 3)).astype(np.uint8)
    base = cv2.resize(noise, size, interpolation=cv2.INTER_CUBIC)
    for _ in range(40):
        x, y = rng.integers(0, size[0]), rng.integers(0, size[1])
        cv2.rectangle(base, (int(x), int(y)), (int(x + rng.integers(10, 60)), int(y + rng.integers(10, 60))),
                      tuple(int(c) for c in rng.integers(0, 255, 3)), -1)
    return Image.fromarray(base)


def edited_copy(img: Image.Image) -> Image.Image:
    w, h = img.size
    copy = img.rotate(8, resample=Image.BICUBIC).crop((w // 8, h // 8, w - w // 10, h - h // 9))
    copy = copy.resize((copy.width * 3 // 5, copy.height * 3 // 5))
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=40)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def other_viewpoint(img: Image.Image) -> Image.Image:
    """The same scene from elsewhere: a perspective change no similarity transform undoes."""
    import cv2

    w, h = img.size
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * 0.15, h * 0.05], [w * 0.9, 0], [w, h], [0, h * 0.85]])
    return Image.fromarray(cv2.warpPerspective(np.asarray(img), cv2.getPerspectiveTransform(src, dst), (w, h)))


def stereo_pair(seed: int, size=(640, 480), disparity: int = 36) -> tuple[Image.Image, Image.Image]:
    """Two views of one scene from cameras a few centimetres apart: the far layer (a textured
    wall) stays put, the near objects in front of it shift sideways (parallax), so no single
    transform lines up both pictures' pixels."""
    far, near = texture(seed, size), texture(seed + 100, size)
    views = []
    for shift in (0, disparity):
        view = far.copy()
        for box in _near_boxes(rng_seed=seed, size=size):
            x0, y0, x1, y1 = box
            view.paste(near.crop(box), (x0 - shift, y0))
        views.append(view)
    return views[0], views[1]


def _near_boxes(rng_seed: int, size) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(rng_seed + 7)
    w, h = size
    boxes = []
    for col in range(3):
        x0 = int(w * (0.08 + 0.3 * col) + rng.integers(0, 20))
        y0 = int(h * 0.08 + rng.integers(0, 30))
        boxes.append((x0, y0, x0 + int(w * 0.22), int(h * 0.92)))
    return boxes


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
