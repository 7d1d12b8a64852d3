"""Kernels per environment: kernelspecs ``orchest-kernel-<uuid>`` and the ``orchest-docker``
kernel provisioner that starts them inside the environment's image."""

from .specs import serve_environment_kernels

__all__ = ["serve_environment_kernels"]
