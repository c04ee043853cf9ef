"""The edits bench/quality.py applies to each source photo: what people do to copies.

Each edit takes a PIL RGB picture and a seeded random generator and returns (picture, format).
Mirrors are listed apart: they are scored as their own tier.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps


def _reencode(img, fmt, quality):
    buf = io.BytesIO()
    img.save(buf, fmt, quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def crop_area(img, share, cx=0.5, cy=0.5):
    w, h = img.size
    side = share ** 0.5
    cw, ch = int(w * side), int(h * side)
    left = int(min(max(0, cx * w - cw / 2), w - cw))
    top = int(min(max(0, cy * h - ch / 2), h - ch))
    return img.crop((left, top, left + cw, top + ch))


def rotate_crop(img, degrees):
    w, h = img.size
    turned = img.rotate(degrees, resample=Image.BICUBIC)
    margin = abs(np.sin(np.radians(degrees)))
    dx, dy = int(w * margin * 0.6) + 2, int(h * margin * 0.6) + 2
    return turned.crop((dx, dy, w - dx, h - dy))


def caption(img, rng):
    out = img.copy()
    draw = ImageDraw.Draw(out)
    size = max(14, out.height // 12)
    font = ImageFont.load_default(size=size)
    draw.rectangle((0, out.height - int(size * 1.6), out.width, out.height), fill=(0, 0, 0))
    draw.text((size // 2, out.height - int(size * 1.4)), "Summer 2019 - best day ever!", fill=(255, 255, 255), font=font)
    draw.text((size // 2, size // 3), "@photo_friend", fill=(255, 255, 0), font=font)
    return out


def stickers(img, rng):
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for _ in range(4):
        r = int(min(out.size) * rng.uniform(0.05, 0.09))
        x, y = int(rng.uniform(r, out.width - r)), int(rng.uniform(r, out.height - r))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 204, 0), outline=(0, 0, 0), width=max(1, r // 10))
        draw.ellipse((x - r // 3 - r // 8, y - r // 3, x - r // 3 + r // 8, y - r // 8), fill=(0, 0, 0))
        draw.ellipse((x + r // 3 - r // 8, y - r // 3, x + r // 3 + r // 8, y - r // 8), fill=(0, 0, 0))
        draw.arc((x - r // 2, y - r // 4, x + r // 2, y + r // 2), 20, 160, fill=(0, 0, 0), width=max(1, r // 10))
    return out


def letterbox(img, rng):
    w, h = img.size
    side = int(max(w, h) * 1.2)
    canvas = Image.new("RGB", (side, side), (0, 0, 0))
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    return canvas


def screenshot(img, rng):
    w, h = img.size
    canvas = Image.new("RGB", (int(w * 1.6), int(h * 1.5)), (245, 245, 245))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, canvas.width, int(h * 0.12)), fill=(40, 60, 90))
    for i in range(6):
        y = int(h * 0.2) + i * int(h * 0.18)
        draw.rectangle((int(w * 1.08), y, int(w * 1.55), y + int(h * 0.1)), fill=(210, 215, 225))
    small = img.resize((int(w * 0.95), int(h * 0.95)))
    canvas.paste(small, (int(w * 0.05), int(h * 0.2)))
    return canvas


def noise(img, rng):
    array = np.asarray(img).astype(np.float32) + rng.normal(0, 14, (img.height, img.width, 3))
    return Image.fromarray(array.clip(0, 255).astype(np.uint8))


EDITS = {
    "jpeg-q20": lambda img, rng: (_reencode(img, "JPEG", 20), "jpg"),
    "webp-q30": lambda img, rng: (_reencode(img, "WEBP", 30), "webp"),
    "downscale-50": lambda img, rng: (img.resize((img.width // 2, img.height // 2), Image.LANCZOS), "jpg"),
    "downscale-320px": lambda img, rng: (ImageOps.contain(img, (320, 320)), "jpg"),
    "crop-center-80": lambda img, rng: (crop_area(img, 0.8), "jpg"),
    "crop-center-50": lambda img, rng: (crop_area(img, 0.5), "jpg"),
    "crop-offcenter-60": lambda img, rng: (crop_area(img, 0.6, 0.3, 0.35), "jpg"),
    "rotate-90": lambda img, rng: (img.rotate(90, expand=True), "jpg"),
    "rotate-5-crop": lambda img, rng: (rotate_crop(img, 5), "jpg"),
    "brightness-contrast": lambda img, rng: (ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.3)).enhance(0.8), "jpg"),
    "greyscale": lambda img, rng: (ImageOps.grayscale(img).convert("RGB"), "jpg"),
    "blur": lambda img, rng: (img.filter(ImageFilter.GaussianBlur(max(1, img.width // 300))), "jpg"),
    "noise": lambda img, rng: (noise(img, rng), "jpg"),
    "text-overlay": lambda img, rng: (caption(img, rng), "jpg"),
    "emoji-overlay": lambda img, rng: (stickers(img, rng), "png"),
    "letterbox": lambda img, rng: (letterbox(img, rng), "jpg"),
    "screenshot": lambda img, rng: (screenshot(img, rng), "png"),
    "chain-crop-jpeg": lambda img, rng: (_reencode(crop_area(img, 0.6, 0.6, 0.55), "JPEG", 30), "jpg"),
    "chain-rotate-bright-webp": lambda img, rng: (_reencode(ImageEnhance.Brightness(rotate_crop(img, 3)).enhance(1.2), "WEBP", 40), "webp"),
    "chain-small-text-jpeg": lambda img, rng: (_reencode(caption(ImageOps.contain(img, (480, 480)), rng), "JPEG", 35), "jpg"),
}
MIRRORS = {"mirror": lambda img, rng: (ImageOps.mirror(img), "jpg")}
