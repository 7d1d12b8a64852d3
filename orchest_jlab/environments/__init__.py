"""Environments: Orchest's per-project environment definitions, their images and their kernels.

``files`` reads and writes the definitions, ``builds`` turns one into a Docker image, ``service``
is what the REST API and the command line call.
"""

from .builds import Builder
from .files import DEFAULT_BASE_IMAGE, kernel_name, list_environment_files, read_environment
from .images import DEFAULT_ALIASES, LOCAL_BASE_IMAGE, image_tag
from .service import EnvironmentService

__all__ = ["DEFAULT_ALIASES", "DEFAULT_BASE_IMAGE", "LOCAL_BASE_IMAGE", "Builder", "EnvironmentService",
           "image_tag", "kernel_name", "list_environment_files", "read_environment"]
