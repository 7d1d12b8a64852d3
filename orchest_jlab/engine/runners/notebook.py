"""Notebook steps through nbclient: a fresh kernel, cell outputs streamed to the step's log, and the
executed notebook written back to its file (the project's in an interactive run, the snapshot's
otherwise), outputs included, as Orchest does — also when a cell fails. An interactive run also keeps
a copy in its run folder (``EXECUTED_NOTEBOOKS``), so that read-only mode shows the notebook as it ran."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from queue import Empty
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from ...pipelines.document import write_text_atomic
from ..context import EXECUTED_NOTEBOOKS, StepContext
from ..orphans import forget_process
from ..steplog import StepLog
from . import StepFailed
from .kernels import KernelSource, end_kernel, resolve_kernel_name
from .tcp_bridge import tcp_only

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Deno's kernel may say a cell is done (its idle status) before that cell's outputs (stdout and
# stderr forwarded from pipes, even the cell's value) when the machine is busy: after each cell its
# outputs are awaited until it has been quiet this long (seconds), for at most LATE_OUTPUTS_MAX.
LATE_OUTPUTS_QUIET = 0.2
LATE_OUTPUTS_MAX = 2.0


class _StreamingClient(NotebookClient):
    """Sends each output to the step's log as it arrives."""

    step_log: StepLog | None = None

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if self.step_log is not None:
            self.step_log.write(_text_of(msg))
        return out


def _text_of(msg: dict[str, Any]) -> str:
    content = msg.get("content", {})
    kind = msg.get("msg_type")
    if kind == "stream":
        return content.get("text", "")
    if kind == "error":
        return _ANSI.sub("", "\n".join(content.get("traceback", []))) + "\n"
    if kind in ("execute_result", "display_data"):
        text = _ANSI.sub("", content.get("data", {}).get("text/plain", ""))  # Deno's values are coloured
        return text + "\n" if text else ""
    return ""


def executed_copy(ctx: StepContext) -> Path | None:
    """Where an interactive run keeps its copy of the executed notebook (None: a snapshot's run)."""
    if ctx.source_project_dir is None or ctx.project_dir != ctx.source_project_dir:
        return None
    try:
        relative = ctx.file.relative_to(ctx.project_dir)
    except ValueError:
        return None
    return ctx.log_path.parent.parent / EXECUTED_NOTEBOOKS / relative


def write_executed(ctx: StepContext, text: str) -> None:
    """The executed notebook into the step's file, and an interactive run's copy of it (also used by
    backends whose kernels run elsewhere: the dask workers send it back)."""
    write_text_atomic(ctx.file, text)
    copy = executed_copy(ctx)
    if copy is not None:
        copy.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(copy, text)


async def _late_outputs(client: NotebookClient, cell, index: int) -> None:
    """The outputs the kernel sends after it said the cell was done: into the cell and the log."""
    deadline = asyncio.get_running_loop().time() + LATE_OUTPUTS_MAX
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            msg = await client.kc.iopub_channel.get_msg(timeout=min(LATE_OUTPUTS_QUIET, left))
        except Empty:
            return
        if msg["msg_type"] in ("stream", "execute_result", "display_data"):
            client.process_message(msg, cell, index)


async def run_notebook(ctx: StepContext, log: StepLog, pool: KernelSource) -> None:
    try:
        notebook = nbformat.read(ctx.file, as_version=4)
    except Exception as exc:
        raise StepFailed(f"{ctx.file.name} is not a readable notebook: {exc}") from None
    kernelspec = notebook.metadata.get("kernelspec", {})
    language = kernelspec.get("language") or notebook.metadata.get("language_info", {}).get("name")
    kernel_name = resolve_kernel_name([ctx.kernel_name, kernelspec.get("name")], language=language)
    manager, setup_code = await pool.take(kernel_name, dataclasses.replace(ctx, language=language))
    client = _StreamingClient(notebook, km=manager, timeout=None, allow_errors=False,
                              resources={"metadata": {"path": str(ctx.cwd)}})
    client.step_log = log
    try:
        client.kc = manager.client()
        client.kc.start_channels()
        await client.kc.wait_for_ready(timeout=60)
        if setup_code:
            reply = await client.async_wait_for_reply(client.kc.execute(setup_code, silent=True, store_history=False))
            if not reply or reply["content"].get("status") != "ok":
                raise StepFailed("the kernel could not be prepared for the step")
        client.reset_execution_trackers()
        ctx.begin()  # nor the kernel's start
        late = tcp_only(manager.kernel_spec.argv if manager.kernel_spec else [])  # Deno's kernel
        for index, cell in enumerate(notebook.cells):
            failed = None
            try:
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as exc:
                failed = exc
            if late and cell.cell_type == "code":
                await _late_outputs(client, cell, index)
            if failed is not None:
                raise failed
    except CellExecutionError as exc:
        raise StepFailed(f"a cell of {ctx.file.name} raised {exc.ename}: {exc.evalue}") from None
    except DeadKernelError:
        raise StepFailed(f"the kernel of {ctx.file.name} died") from None
    finally:
        client.step_log = None
        # Written back even when a cell failed or the run was cancelled, so its outputs can be read.
        await asyncio.shield(asyncio.to_thread(write_executed, ctx, nbformat.writes(notebook) + "\n"))
        if client.kc is not None:
            client.kc.stop_channels()
        await asyncio.shield(end_kernel(manager))  # with whatever its cells started
        forget_process(ctx.log_path)
