"""The walk's photos, made with Pillow: distinct pictures, near-duplicates of some of them
(resized, re-encoded, cropped, blurred, saved as PNG), an empty and a truncated .jpg, and
three pictures for the folder the walk removes."""
from __future__ import annotations

from pathlib import Path


def make_photos(folder: Path, extra: Path) -> dict:
    """12 distinct pictures, near-duplicates of 4 of them, two unreadable .jpg; 3 in `extra`."""
    from PIL import Image, ImageDraw, ImageFilter

    folder.mkdir(parents=True)
    extra.mkdir(parents=True)
    palette = [(220, 60, 50), (40, 120, 200), (250, 200, 40), (60, 170, 90), (150, 70, 180), (240, 130, 40),
               (30, 30, 30), (200, 200, 210), (100, 60, 30), (20, 160, 170), (230, 100, 160), (120, 140, 60)]

    def picture(n: int) -> Image.Image:
        w, h = 640, 480
        a, b = palette[n], palette[(n * 5 + 3) % len(palette)]
        img = Image.new("RGB", (w, h))
        px = img.load()
        for y in range(h):   # a gradient whose direction depends on n
            for x in range(0, w, 4):
                t = ((x if n % 3 == 0 else y if n % 3 == 1 else (x + y) // 2) / (w if n % 3 == 0 else h))
                c = tuple(int(a[i] * (1 - t) + b[i] * t) for i in range(3))
                for dx in range(4):
                    px[x + dx, y] = c
        d = ImageDraw.Draw(img)
        for k in range(3 + n % 4):   # shapes at positions that depend on n
            x0 = (n * 97 + k * 151) % (w - 200)
            y0 = (n * 53 + k * 89) % (h - 160)
            colour = palette[(n + k * 7 + 1) % len(palette)]
            if (n + k) % 3 == 0:
                d.ellipse([x0, y0, x0 + 80 + k * 30, y0 + 80 + k * 20], fill=colour, outline=(0, 0, 0), width=4)
            elif (n + k) % 3 == 1:
                d.rectangle([x0, y0, x0 + 120, y0 + 60 + k * 25], fill=colour)
            else:
                d.polygon([(x0, y0 + 120), (x0 + 70, y0), (x0 + 140, y0 + 120)], fill=colour)
        for k in range(n + 2):   # stripes
            d.line([(0, 40 * k + n * 7), (w, 40 * k + n * 13)], fill=palette[(k + n) % 12], width=3)
        return img

    names = ["harbour", "meadow", "sunset", "forest", "violet", "orange", "night", "fog", "earth", "lagoon",
             "blossom", "olive"]
    originals = []
    for n, name in enumerate(names):
        path = folder / f"{n + 1:02d}_{name}.jpg"
        picture(n).save(path, quality=92)
        originals.append(path.name)
    # near-duplicates: resized, re-encoded at low quality, slightly cropped, lightly blurred
    base = Image.open(folder / "01_harbour.jpg")
    base.resize((320, 240)).save(folder / "01_harbour_small.jpg", quality=90)
    base.save(folder / "01_harbour_lowq.jpg", quality=35)
    Image.open(folder / "03_sunset.jpg").crop((12, 10, 628, 470)).save(folder / "03_sunset_crop.jpg", quality=90)
    Image.open(folder / "05_violet.jpg").save(folder / "05_violet_copy.png")
    Image.open(folder / "07_night.jpg").filter(ImageFilter.GaussianBlur(1)).save(folder / "07_night_soft.jpg", quality=85)
    # two files that cannot be read
    (folder / "broken_empty.jpg").write_bytes(b"")
    whole = (folder / "02_meadow.jpg").read_bytes()
    (folder / "broken_truncated.jpg").write_bytes(whole[: len(whole) // 5])
    # the folder that will be removed: its own pictures and one copy of a walk photo
    for n in range(3):
        picture(11 - n).rotate(180).save(extra / f"extra_{n + 1}.jpg", quality=90)
    readable = sorted(p.name for p in folder.iterdir() if not p.name.startswith("broken"))
    return {"readable": readable, "broken": ["broken_empty.jpg", "broken_truncated.jpg"],
            "extra": sorted(p.name for p in extra.iterdir())}
