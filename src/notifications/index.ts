/**
 * Notifications: the project's webhooks (a sidebar section) and, in the
 * browser, a JupyterLab notification for runs and jobs that finish while the
 * user is elsewhere.
 */
export { createNotificationsSection } from './section';
export { FinishWatch, IFinished, IWhere, shouldTell } from './watch';
