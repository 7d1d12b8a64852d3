/**
 * The draft a service's form edits (text as typed), read from a stored
 * service, and a valid draft written back in Orchest's shape: the fields
 * Orchest's own form writes, optional ones only when set (or already in the
 * file), fields Orchest does not know kept.
 */

import { isObject, JSONObject, JSONValue, toNumber } from '../model';
import { portsOf, SCOPES, scopeOf, ServiceScope, text } from './model';

/** A variable of `env_variables` as edited. */
export interface IServiceVariable {
  name: string;
  value: string;
}

/** What the form of one service edits: text as typed. */
export interface IServiceDraft {
  name: string;
  /** An image name, or `environment@<uuid>`. */
  image: string;
  /** Orchest's older start fields (`entrypoint` with `command`); shown only when the file has it. */
  entrypoint: string;
  command: string;
  args: string;
  /** Ports separated by commas or spaces. */
  ports: string;
  env: IServiceVariable[];
  /** Names of the project's and pipeline's variables the service gets, separated by commas or spaces. */
  inherit: string;
  /** Where the project directory is mounted in the container ('' for not at all). */
  projectDir: string;
  /** Where the data directory is mounted in the container ('' for not at all). */
  dataDir: string;
  preserveBasePath: boolean;
  requiresAuthentication: boolean;
  /**
   * Orchest's `exposed` (its ingress): not edited, as every port here has its
   * URL through the Jupyter server; kept, and true for new services.
   */
  exposed: boolean;
  scope: ServiceScope[];
}

/** The draft of a stored service. */
export function serviceDraft(service: JSONObject): IServiceDraft {
  const binds = isObject(service.binds) ? service.binds : {};
  const env = isObject(service.env_variables) ? service.env_variables : {};
  const inherit = Array.isArray(service.env_variables_inherit) ? service.env_variables_inherit : [];
  return {
    name: text(service.name),
    image: text(service.image),
    entrypoint: text(service.entrypoint),
    command: text(service.command),
    args: text(service.args),
    ports: portsOf(service.ports).join(', '),
    env: Object.entries(env).map(([name, value]) => ({ name, value: text(value) })),
    inherit: inherit.filter((v): v is string => typeof v === 'string').join(', '),
    projectDir: text(binds['/project-dir']),
    dataDir: text(binds['/data']),
    preserveBasePath: service.preserve_base_path === true,
    // Orchest's defaults: authenticated; not exposed unless the file says so.
    requiresAuthentication: service.requires_authentication !== false,
    exposed: service.exposed === true,
    scope: scopeOf(service.scope)
  };
}

/** A first unused name: `base`, `base1`, `base2`… */
export function freeServiceName(base: string, taken: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const name = `${base}${i === 0 ? '' : i}`;
    if (!taken.has(name)) {
      return name;
    }
  }
}

/** The draft of a new service: Orchest's custom service, an unused name. */
export function newServiceDraft(taken: ReadonlySet<string>): IServiceDraft {
  return {
    ...serviceDraft({}),
    name: freeServiceName('my-service', taken),
    ports: '8000',
    exposed: true,
    scope: ['interactive', 'noninteractive']
  };
}

/** The words of a text list (commas or white space between them). */
export function words(value: string): string[] {
  return value.split(/[\s,]+/).filter(w => w !== '');
}

/**
 * Set an optional field: written when it has a value, or when the file had
 * the field already (so a cleared field stays as Orchest's form leaves it).
 */
function setOptional(service: JSONObject, key: string, value: JSONValue, empty: boolean): void {
  if (!empty || key in service) {
    service[key] = value;
  }
}

/**
 * A valid draft as the service Orchest writes: the previous service's other
 * fields kept, `order` kept (or the given one for a new service).
 */
export function serviceFromDraft(draft: IServiceDraft, previous: JSONObject | null, order: number): JSONObject {
  const service: JSONObject = { ...(previous ?? {}) };
  const ports = words(draft.ports).map(Number);
  service.name = draft.name;
  service.image = draft.image.trim();
  service.scope = SCOPES.filter(s => draft.scope.includes(s));
  service.ports = ports;
  service.exposed = draft.exposed;
  service.requires_authentication = draft.requiresAuthentication;
  const previousOrder = toNumber(previous?.order);
  service.order = previousOrder !== undefined && Number.isInteger(previousOrder) ? previousOrder : order;
  if (draft.entrypoint) {
    service.entrypoint = draft.entrypoint;
  } else {
    delete service.entrypoint; // an empty one would replace the image's
  }
  setOptional(service, 'command', draft.command, !draft.command);
  setOptional(service, 'args', draft.args, !draft.args);
  const binds: JSONObject = {};
  if (draft.projectDir.trim()) {
    binds['/project-dir'] = draft.projectDir.trim();
  }
  if (draft.dataDir.trim()) {
    binds['/data'] = draft.dataDir.trim();
  }
  const previousBinds = isObject(service.binds) ? service.binds : {};
  for (const [source, target] of Object.entries(previousBinds)) {
    if (source !== '/project-dir' && source !== '/data') {
      binds[source] = target; // not Orchest's, but not ours to drop
    }
  }
  setOptional(service, 'binds', binds, Object.keys(binds).length === 0);
  const env: JSONObject = {};
  for (const { name, value } of draft.env) {
    if (name || value) {
      env[name] = value;
    }
  }
  setOptional(service, 'env_variables', env, Object.keys(env).length === 0);
  const inherit = words(draft.inherit).filter((name, i, all) => all.indexOf(name) === i);
  setOptional(service, 'env_variables_inherit', inherit, inherit.length === 0);
  setOptional(service, 'preserve_base_path', draft.preserveBasePath, !draft.preserveBasePath);
  return service;
}
