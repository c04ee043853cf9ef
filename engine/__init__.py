"""Lookalike's engine: finds duplicate and similar photos and searches them. Qt-free.

The public face is `Library` plus the job helpers every long call takes. Importing this
package reads no settings, loads no model and sets up no logging.
"""
from .jobs import CancelToken, JobCancelled, Progress
from .library import Library
from .results import TIERS
from .lock import app_instance_lock, describe_process, wait_reports
from .embedding.registry import TEXT_MODEL
from .embedding.runtime_check import check_onnx_runtime
from .actions.tools_check import check_photo_tools
from .scanning.walk import IMAGE_EXTENSIONS
from .settings import Settings
from .sizes import human_size

__all__ = ["Library", "TIERS", "Settings", "Progress", "CancelToken", "JobCancelled",
           "app_instance_lock", "describe_process", "wait_reports",
           "IMAGE_EXTENSIONS", "TEXT_MODEL", "human_size", "check_onnx_runtime",
           "check_photo_tools"]
