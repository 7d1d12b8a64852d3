/**
 * The toolbar of orchest-jlab's main-area widgets (pipeline editors, run
 * views, executed notebooks): JupyterLab's reactive toolbar, safe to dispose
 * of right after it was shown.
 */

import { ReactiveToolbar } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

/** What the toolbar's private throttler (@lumino/polling) offers. */
interface IThrottler {
  stop(): Promise<void>;
  invoke(): Promise<unknown>;
}

/**
 * `ReactiveToolbar.onAfterShow` invokes its throttler after an asynchronous
 * `stop()`; *Close All Tabs* shows each next tab and disposes of it before
 * that, and the disposed throttler throws (`Cannot read properties of null
 * (reading 'promise')`). This one invokes it only while the toolbar lives.
 */
export class MainAreaToolbar extends ReactiveToolbar {
  onAfterShow(msg: Message): void {
    const resizer = (this as unknown as { _resizer?: IThrottler })._resizer;
    if (!resizer) {
      super.onAfterShow(msg);
      return;
    }
    void resizer.stop().then(() => {
      if (!this.isDisposed) {
        void resizer.invoke();
      }
    });
  }
}
