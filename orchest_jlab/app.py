"""The jupyter_server extension: configuration and wiring, nothing else."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from traitlets import List, Unicode

from .handlers import routes
from .pipelines import DEFAULT_SKIP_DIRS
from .workspace import Workspace


class OrchestApp(ExtensionApp):
    name = "orchest_jlab"
    description = "Orchest pipelines in JupyterLab"
    load_other_extensions = True

    skip_directories = List(
        Unicode(),
        default_value=sorted(DEFAULT_SKIP_DIRS),
        help="Folder names that pipeline discovery never enters (besides hidden folders and virtual "
        "environments, which it always skips).",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        root = self.serverapp.root_dir
        self.settings["orchest_workspace"] = Workspace(root, self.skip_directories)
        self.log.info("Orchest pipelines served from %s", root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())
