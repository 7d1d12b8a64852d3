/**
 * A small button showing an icon, as the sidebar's sections use them; a click
 * on it does not reach the list item around it.
 */

import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

export function IconButton(props: {
  icon: LabIcon;
  title: string;
  action: string;
  disabled?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      className="jp-OrchestSidebar-button"
      title={props.title}
      data-action={props.action}
      disabled={props.disabled}
      onClick={e => {
        e.stopPropagation();
        props.onClick();
      }}
    >
      <props.icon.react tag="span" />
    </button>
  );
}
