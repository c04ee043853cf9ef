"""DINOv2 image embeddings (transformers AutoModel), the default for duplicates.

Owns: loading a DINOv2 folder, its preprocessing and pooling. Pooling is the final
layer-normed CLS token (`pooler_output`): the representation DINOv2's authors evaluate for
instance-level retrieval, 384-d for ViT-S. The whole frame is squashed to a square, never
centre-cropped, so a crop and its original still overlap in what the model sees.
`patch_tokens` gives the final layer's patch tokens (CLS and register tokens dropped) at an
input whose sides are multiples of the patch size and keep the photo's aspect, for patch maps.
Must not: read the catalog.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ModelUnavailable
from .base import normalise_chw, resize_square
PATCH_LONGEST = 448        # patch maps: 32 patches on the longest side of ViT-S/14
from .torch_models import IMAGENET_MEAN, IMAGENET_STD, TorchEmbedder, config_size, read_processor_config


class Dinov2Embedder(TorchEmbedder):
    def __init__(self, name: str, folder: Path, model_id: str, source: str, device: str,
                 precision: str = "auto") -> None:
        super().__init__(name, model_id, source, device)
        from transformers import AutoModel

        config = read_processor_config(folder)
        self.input_size = config_size(config, "crop_size", 224)
        self.mean = config.get("image_mean", IMAGENET_MEAN)
        self.std = config.get("image_std", IMAGENET_STD)
        try:
            self.model = AutoModel.from_pretrained(str(folder), use_safetensors=True)  # never pickle
        except Exception as exc:  # noqa: BLE001 - corrupt or foreign weights
            raise ModelUnavailable(name, f"The {name} weights in {folder} could not be loaded "
                                   f"({str(exc).splitlines()[0][:160]}).") from exc
        if getattr(self.model.config, "model_type", "") != "dinov2":
            raise ModelUnavailable(name, f"The folder {folder} holds a "
                                   f"{self.model.config.model_type!r} model, not DINOv2.")
        self._finish_loading(precision, folder)

    def preprocess(self, image: Image.Image) -> np.ndarray:
        return normalise_chw(resize_square(image, self.input_size), self.mean, self.std)

    def _forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).pooler_output

    def patch_grid(self, width: int, height: int, longest: int = PATCH_LONGEST) -> tuple[int, int]:
        """Columns and rows of patches for a photo of this size: the aspect kept, at least 2."""
        patch = int(self.model.config.patch_size)
        scale = (longest / patch) / max(width, height)
        return max(2, round(width * scale)), max(2, round(height * scale))

    def patch_tokens(self, image: Image.Image, longest: int = PATCH_LONGEST) -> np.ndarray:
        """(rows, columns, D) float32: one token per patch of the photo, in reading order."""
        import torch

        patch = int(self.model.config.patch_size)
        cols, rows = self.patch_grid(image.width, image.height, longest)
        resized = image.resize((cols * patch, rows * patch), Image.BICUBIC, reducing_gap=3.0)
        pixels = self._tensor([normalise_chw(resized, self.mean, self.std)])
        skip = 1 + int(getattr(self.model.config, "num_register_tokens", 0) or 0)
        with self._lock, torch.inference_mode():
            hidden = self.model(pixel_values=pixels).last_hidden_state
        tokens = hidden[0, skip:].float().cpu().numpy()
        return tokens.reshape(rows, cols, tokens.shape[-1])
