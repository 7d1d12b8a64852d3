/**
 * The ids of every command of orchest-jlab: the one place they are declared.
 */

/**
 * The ids of the commands.
 */
export namespace CommandIDs {
  export const addStep = 'orchest-jlab:add-step';
  export const deleteSelection = 'orchest-jlab:delete-selection';
  export const duplicate = 'orchest-jlab:duplicate';
  export const copy = 'orchest-jlab:copy';
  export const cut = 'orchest-jlab:cut';
  export const paste = 'orchest-jlab:paste';
  export const selectAll = 'orchest-jlab:select-all';
  export const undo = 'orchest-jlab:undo';
  export const redo = 'orchest-jlab:redo';
  export const autoLayout = 'orchest-jlab:auto-layout';
  export const fitView = 'orchest-jlab:fit-view';
  export const runAll = 'orchest-jlab:run-all';
  export const runSelected = 'orchest-jlab:run-selected';
  export const runIncoming = 'orchest-jlab:run-incoming';
  export const cancelRun = 'orchest-jlab:cancel-run';
  /** Run the pipeline with the step cache: only steps whose inputs changed run. */
  export const runChanged = 'orchest-jlab:run-changed';
  /** Clear the step cache of the pipeline, or (on a step, args `{step: true}`) of the selected steps. */
  export const clearCache = 'orchest-jlab:clear-cache';
  export const startSession = 'orchest-jlab:start-session';
  export const stopSession = 'orchest-jlab:stop-session';
  /** Open a run read-only, args `{runUuid}` (the sidebar's runs and the jobs panel use it). */
  export const openRun = 'orchest-jlab:open-run';
  export const copyRunPipeline = 'orchest-jlab:copy-run-pipeline';
  export const toggleLog = 'orchest-jlab:toggle-log';
  export const toggleProperties = 'orchest-jlab:toggle-properties';
  export const openStepFile = 'orchest-jlab:open-step-file';
  export const validate = 'orchest-jlab:validate';
  export const newPipeline = 'orchest-jlab:new-pipeline';
  export const runStepFile = 'orchest-jlab:run-step-file';
  export const runStepFileWithIncoming = 'orchest-jlab:run-step-file-with-incoming';
  /** The current document's (or, args `{fromTab: true}`, the tab's) step; saved first. */
  export const runThisStep = 'orchest-jlab:run-this-step';
  export const runThisStepWithIncoming = 'orchest-jlab:run-this-step-with-incoming';
  export const addFileToPipeline = 'orchest-jlab:add-file-to-pipeline';
  export const saveSetupScript = 'orchest-jlab:save-setup-script';
  /** A service's URL in a tab, args `{url, name, port}` (src/services/tabs.ts). */
  export const openService = 'orchest-jlab:open-service';
  /** A service's log in a tab, args `{of: {pipeline} | {run}, name, sessionUuid}`. */
  export const openServiceLog = 'orchest-jlab:open-service-log';
}
