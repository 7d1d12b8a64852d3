/**
 * The configured backend's cluster (`GET cluster`, docs/dask.md): its
 * scheduler, its workers and its dashboard through the Jupyter server.
 */

/** A worker of the cluster. */
export interface IClusterWorker {
  address: string;
  name: string;
  /** Dask's status of the worker: `running`, `paused`, `closing`, … */
  status: string;
  threads: number | null;
  /** Bytes, or null when the worker has no limit. */
  memory: number | null;
  /** Its Dask resources (e.g. `{GPU: 1}`): steps that need them run there. */
  resources: { [name: string]: number };
  /** Tasks (steps) it runs now. */
  executing: number;
}

/** The cluster of a backend whose steps run on one (dask). */
export interface ICluster {
  scheduler: string;
  /** A local cluster the server started for itself. */
  local: boolean;
  dashboard: boolean;
  /** The dashboard through the server's authenticated proxy. */
  dashboard_url?: string;
  workers: IClusterWorker[];
}

/** `GET cluster`: the backend, its cluster (null for other backends), and why it cannot be described. */
export interface IClusterInfo {
  backend: string;
  cluster: ICluster | null;
  problem: string | null;
}
