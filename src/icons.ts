import { LabIcon } from '@jupyterlab/ui-components';

import pipelineSvgstr from '../style/icons/pipeline.svg';

/**
 * Icon of Orchest pipeline (`.orchest`) files: a small DAG.
 */
export const pipelineIcon = new LabIcon({
  name: 'orchest-jlab:pipeline',
  svgstr: pipelineSvgstr
});
