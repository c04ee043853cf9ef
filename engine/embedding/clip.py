"""CLIP image and text embeddings (transformers CLIPModel): the text-search model.

Owns: loading a CLIP folder with its tokenizer, CLIP's own preprocessing (shortest side,
centre crop, CLIP mean/std, as it was trained) and the projected image/text features.
Must not: read the catalog.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from ..errors import ModelUnavailable
from .base import TextEmbedder, l2_normalise, normalise_chw, resize_center_crop
from .torch_models import TorchEmbedder, config_size, read_processor_config

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class ClipEmbedder(TorchEmbedder, TextEmbedder):
    def __init__(self, name: str, folder: Path, model_id: str, source: str, device: str,
                 precision: str = "auto") -> None:
        super().__init__(name, model_id, source, device)
        from transformers import AutoTokenizer, CLIPModel

        config = read_processor_config(folder)
        self.input_size = config_size(config, "crop_size", 224)
        self.shortest = config_size(config, "size", self.input_size)
        self.mean = config.get("image_mean", CLIP_MEAN)
        self.std = config.get("image_std", CLIP_STD)
        try:
            self.model = CLIPModel.from_pretrained(str(folder), use_safetensors=True)  # never pickle
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        except Exception as exc:  # noqa: BLE001 - corrupt weights, missing tokenizer files
            raise ModelUnavailable(name, f"The {name} model in {folder} could not be loaded "
                                   f"({str(exc).splitlines()[0][:160]}).") from exc
        self.max_tokens = int(getattr(self.model.config.text_config, "max_position_embeddings", 77))
        # The temperature CLIP was trained with (100 for OpenAI's): zero-shot scores use it.
        self.logit_scale = float(self.model.logit_scale.detach().exp())
        self._finish_loading(precision, folder)

    def preprocess(self, image: Image.Image) -> np.ndarray:
        return normalise_chw(resize_center_crop(image, self.shortest, self.input_size), self.mean, self.std)

    def _forward(self, pixel_values):
        return self.model.get_image_features(pixel_values=pixel_values)

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        tokens = self.tokenizer(list(texts), padding=True, truncation=True,
                                max_length=self.max_tokens, return_tensors="pt")
        tokens = {k: v.to(self.device) for k, v in tokens.items()}
        with self._lock, torch.inference_mode():
            features = self.model.get_text_features(**tokens)
        return l2_normalise(features.float().cpu().numpy())
