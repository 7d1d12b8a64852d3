/**
 * A small button of the sidebar's sections: an icon, with its name beside it
 * when `label` is given (an item's actions, which wrap in the narrow
 * sidebar); a click on it does not reach the list item around it.
 */

import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

export function IconButton(props: {
  icon: LabIcon;
  title: string;
  action: string;
  label?: string;
  disabled?: boolean;
  onClick: () => void;
}): JSX.Element {
  const labelled = props.label !== undefined;
  return (
    <button
      className={labelled ? 'jp-OrchestSmallButton jp-OrchestAction' : 'jp-OrchestSidebar-button'}
      title={props.title}
      data-action={props.action}
      disabled={props.disabled}
      onClick={e => {
        e.stopPropagation();
        props.onClick();
      }}
    >
      <props.icon.react tag="span" className={labelled ? 'jp-OrchestAction-icon' : undefined} />
      {labelled ? <span>{props.label}</span> : null}
    </button>
  );
}
