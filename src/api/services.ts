/**
 * Types of Orchest's services as the server runs them (docs/services.md):
 * the containers of a pipeline's interactive session or of a run.
 */

/** Statuses of a running service. */
export type ServiceStatus = 'PENDING' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILURE';

/** What a service belongs to: a pipeline's interactive session, or a run. */
export type ServiceOwner =
  | { kind: 'session'; pipeline_path: string }
  | { kind: 'run'; run_uuid: string; pipeline_path: string };

/** Whose services to ask for: a pipeline's session (its path) or a run (its uuid). */
export type ServicesOf = { pipeline: string } | { run: string };

/**
 * A service of a session or run, as `GET services` and the `service` event
 * show it.
 */
export interface IService {
  name: string;
  owner: ServiceOwner;
  /** Orchest's session uuid: of the interactive session, or the run's uuid. */
  session_uuid: string;
  scope: 'interactive' | 'noninteractive';
  status: ServiceStatus;
  /** Why it failed (with the exit code), or what it waits for. */
  message: string | null;
  /** The image it runs, resolved. */
  image: string;
  /** The image as the pipeline names it (`environment@<uuid>` or a name). */
  image_spec: string;
  order: number | null;
  /** `<name>-<session uuid>`: its host name on the session's network (its name is one too). */
  internal_hostname: string;
  hostnames: string[];
  ports: number[];
  /** Its URLs through the Jupyter server's authenticated proxy, by port (as a string). */
  external_urls: { [port: string]: string };
  base_paths: { [port: string]: string };
  started: string | null;
  finished: string | null;
}

/** The end of a service's log (`GET services/log`). */
export interface IServiceLog {
  name: string;
  log: string;
  /** Only the last part of the log is there. */
  truncated: boolean;
}
