/**
 * How the cluster section shows a worker's memory and resources.
 */

/** `8 GiB`, `512 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** `GPU=1, MEMORY=8000000000`: a worker's resources as Dask writes them. */
export function formatResources(resources: { [name: string]: number }): string {
  return Object.keys(resources)
    .sort()
    .map(name => `${name}=${resources[name]}`)
    .join(', ');
}
