import { LabIcon } from '@jupyterlab/ui-components';

import environmentSvgstr from '../style/icons/environment.svg';
import executedNotebookSvgstr from '../style/icons/executed-notebook.svg';
import jobSvgstr from '../style/icons/job.svg';
import pipelineSvgstr from '../style/icons/pipeline.svg';
import runSvgstr from '../style/icons/run.svg';

/**
 * Icon of Orchest pipeline (`.orchest`) files: a small DAG.
 */
export const pipelineIcon = new LabIcon({
  name: 'orchest-jlab:pipeline',
  svgstr: pipelineSvgstr
});

/** A past run of a pipeline (its read-only view). */
export const runIcon = new LabIcon({ name: 'orchest-jlab:run', svgstr: runSvgstr });

/** A job: its page and its forms. */
export const jobIcon = new LabIcon({ name: 'orchest-jlab:job', svgstr: jobSvgstr });

/** An environment: its setup script and build log. */
export const environmentIcon = new LabIcon({ name: 'orchest-jlab:environment', svgstr: environmentSvgstr });

/** A notebook as a run executed it (read-only). */
export const executedNotebookIcon = new LabIcon({
  name: 'orchest-jlab:executed-notebook',
  svgstr: executedNotebookSvgstr
});
