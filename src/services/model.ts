/**
 * Orchest's services of a pipeline, the `.orchest` file's `services`: the
 * list as the editor shows it, the draft a form edits, what is wrong with a
 * draft, and the service written back in Orchest's shape (keyed by its name,
 * `order` unique, fields Orchest does not know kept). Pure: no React, no
 * JupyterLab.
 */

import { isObject, JSONObject, JSONValue, toNumber } from '../model';

/** When a service runs: with the interactive session, with non-interactive runs (jobs). */
export type ServiceScope = 'interactive' | 'noninteractive';

export const SCOPES: readonly ServiceScope[] = ['interactive', 'noninteractive'];

/** An image of one of the project's environments: `environment@<uuid>`. */
export const ENVIRONMENT_IMAGE_PREFIX = 'environment@';

/**
 * Orchest's rule for a service name (`is_service_name_valid`): it becomes a
 * host name on the session's network, so a DNS label of at most 26
 * characters, starting with a letter.
 */
export const SERVICE_NAME = /^[a-z][0-9a-z-]{0,25}$/;

/** Orchest's rule for the name of an environment variable. */
export const ENV_VARIABLE_NAME = /^[0-9a-zA-Z\-_]+$/;

/**
 * An image reference as Docker reads it: `[host[:port]/]path[:tag][@digest]`,
 * path components lower-case (distribution/reference's grammar).
 */
const IMAGE_REFERENCE = new RegExp(
  '^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?' +
    '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*' +
    '(?::[\\w][\\w.-]{0,127})?(?:@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$'
);

/** The translation a message needs (a TranslationBundle). */
export interface ITranslate {
  __(text: string, ...args: unknown[]): string;
}

/** A service of the document, as the list shows it. */
export interface IServiceView {
  /** Its key in `services` (Orchest keeps it equal to the name). */
  key: string;
  name: string;
  image: string;
  /** Its place in the start order (the file's `order`; services without one last). */
  order: number | null;
  scope: ServiceScope[];
  ports: number[];
  /** The service as stored. */
  service: JSONObject;
}

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
  exposed: boolean;
  scope: ServiceScope[];
}

/** What is wrong with a draft, by field. */
export type DraftProblems = Partial<Record<keyof IServiceDraft, string>>;

/** What a draft is checked against. */
export interface IDraftContext {
  /** The names of the pipeline's other services. */
  otherNames: ReadonlySet<string>;
  /** The uuids of the project's environments, or null when not known. */
  environments: readonly string[] | null;
}

/** The `services` object of a document ({} when it has none). */
export function servicesObject(doc: JSONObject): JSONObject {
  return isObject(doc.services) ? doc.services : {};
}

function text(value: JSONValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function portsOf(value: JSONValue | undefined): number[] {
  if (!Array.isArray(value)) {
    return [];
  }
  // Orchest's older files may hold ports as strings.
  return value.map(p => (typeof p === 'string' ? Number(p) : toNumber(p))).filter((p): p is number => Number.isInteger(p));
}

function scopeOf(value: JSONValue | undefined): ServiceScope[] {
  return Array.isArray(value) ? SCOPES.filter(s => value.includes(s)) : [];
}

/** The services of a document in start order (`order`, then key). */
export function servicesOf(doc: JSONObject): IServiceView[] {
  const views = Object.entries(servicesObject(doc))
    .filter((entry): entry is [string, JSONObject] => isObject(entry[1]))
    .map(([key, service]) => {
      const order = toNumber(service.order);
      return {
        key,
        name: typeof service.name === 'string' ? service.name : key,
        image: text(service.image),
        order: order !== undefined && Number.isInteger(order) ? order : null,
        scope: scopeOf(service.scope),
        ports: portsOf(service.ports),
        service
      };
    });
  return views.sort((a, b) => {
    if (a.order !== b.order) {
      return a.order === null ? 1 : b.order === null ? -1 : a.order - b.order;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
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

/** The ports of a draft's text, or what is wrong with it. */
export function parsePorts(value: string, trans: ITranslate): { ports: number[] } | { problem: string } {
  const ports: number[] = [];
  for (const word of words(value)) {
    const port = /^\d+$/.test(word) ? Number(word) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      return { problem: trans.__('Port “%1” is not a whole number from 1 to 65535.', word) };
    }
    if (ports.includes(port)) {
      return { problem: trans.__('Port %1 is given twice.', port) };
    }
    ports.push(port);
  }
  return { ports };
}

/**
 * Whether text splits into words as Python's `shlex.split` (what Orchest
 * does with `args`) splits it: quotes closed, no trailing backslash.
 */
export function splitsAsShellWords(value: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote === "'") {
      quote = c === "'" ? null : quote;
    } else if (c === '\\' && quote !== "'") {
      if (++i >= value.length) {
        return false;
      }
    } else if (quote === '"') {
      quote = c === '"' ? null : quote;
    } else if (c === '"' || c === "'") {
      quote = c;
    }
  }
  return quote === null;
}

function checkPath(value: string, trans: ITranslate): string | undefined {
  if (value.trim() !== '' && !value.startsWith('/')) {
    return trans.__('A path in the container must be absolute (start with /): “%1”.', value);
  }
  return undefined;
}

function checkImage(image: string, context: IDraftContext, trans: ITranslate): string | undefined {
  if (image.startsWith(ENVIRONMENT_IMAGE_PREFIX)) {
    const uuid = image.slice(ENVIRONMENT_IMAGE_PREFIX.length);
    if (context.environments && !context.environments.includes(uuid)) {
      return trans.__('The project has no environment %1.', uuid || '—');
    }
    return undefined;
  }
  if (!image.trim()) {
    return trans.__('Give an image name (e.g. redis:7) or choose an environment.');
  }
  if (!IMAGE_REFERENCE.test(image)) {
    return trans.__('“%1” is not an image name (e.g. redis, tensorflow/tensorflow:2.15).', image);
  }
  return undefined;
}

function checkVariables(draft: IServiceDraft, trans: ITranslate): string | undefined {
  const seen = new Set<string>();
  for (const { name, value } of draft.env) {
    if (!name && !value) {
      continue; // an empty row is left out
    }
    if (!ENV_VARIABLE_NAME.test(name)) {
      return trans.__('“%1” is not a variable name (letters, digits, - and _).', name);
    }
    if (seen.has(name)) {
      return trans.__('The variable %1 is given twice.', name);
    }
    seen.add(name);
  }
  return undefined;
}

/** What is wrong with a draft ({} when nothing). */
export function checkDraft(draft: IServiceDraft, context: IDraftContext, trans: ITranslate): DraftProblems {
  const problems: DraftProblems = {};
  if (!SERVICE_NAME.test(draft.name)) {
    problems.name = draft.name
      ? trans.__(
          'A name is a lower-case letter, then up to 25 lower-case letters, digits or dashes (it becomes a host name).'
        )
      : trans.__('Give the service a name.');
  } else if (context.otherNames.has(draft.name)) {
    problems.name = trans.__('Another service is named %1.', draft.name);
  }
  problems.image = checkImage(draft.image, context, trans);
  if (draft.entrypoint && draft.args) {
    problems.entrypoint = trans.__(
      'Entrypoint (Orchest’s older form) cannot go with Args: put the entrypoint in Command and its arguments in Args.'
    );
  }
  if (!splitsAsShellWords(draft.args)) {
    problems.args = trans.__('Close the quotes of the arguments (they are split as a shell splits them).');
  }
  const ports = parsePorts(draft.ports, trans);
  if ('problem' in ports) {
    problems.ports = ports.problem;
  } else if (draft.exposed && ports.ports.length === 0) {
    problems.ports = trans.__('An exposed service needs a port to be reached at.');
  }
  problems.env = checkVariables(draft, trans);
  const badInherit = words(draft.inherit).find(name => !ENV_VARIABLE_NAME.test(name));
  if (badInherit !== undefined) {
    problems.inherit = trans.__('“%1” is not a variable name (letters, digits, - and _).', badInherit);
  }
  problems.projectDir = checkPath(draft.projectDir, trans);
  problems.dataDir = checkPath(draft.dataDir, trans);
  if (draft.scope.length === 0) {
    problems.scope = trans.__('Choose when the service runs: interactive sessions, runs of jobs, or both.');
  }
  for (const key of Object.keys(problems) as (keyof IServiceDraft)[]) {
    if (problems[key] === undefined) {
      delete problems[key];
    }
  }
  return problems;
}

/** Whether a draft has no problem. */
export function isValidDraft(problems: DraftProblems): boolean {
  return Object.keys(problems).length === 0;
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

/** The order of a service added last. */
export function nextOrder(doc: JSONObject): number {
  const orders = servicesOf(doc)
    .map(s => s.order)
    .filter((o): o is number => o !== null);
  return orders.length ? Math.max(...orders) + 1 : 0;
}

/**
 * `services` with one service put under its name: a new one added, or the
 * one under `previousKey` replaced (moved to its new name when renamed).
 */
export function withService(services: JSONObject, previousKey: string | null, service: JSONObject): JSONObject {
  const next: JSONObject = {};
  const name = service.name as string;
  for (const [key, value] of Object.entries(services)) {
    if (key === previousKey) {
      next[name] = service;
    } else if (key !== name) {
      next[key] = value;
    }
  }
  if (!(name in next)) {
    next[name] = service;
  }
  return next;
}

/** `services` without one. */
export function withoutService(services: JSONObject, key: string): JSONObject {
  const next: JSONObject = { ...services };
  delete next[key];
  return next;
}

/**
 * `services` with one service moved earlier (-1) or later (+1) in the start
 * order; `order` renumbered 0, 1, 2… when the file's were missing or shared,
 * else the two services swap theirs. Null when it cannot move.
 */
export function withServiceMoved(doc: JSONObject, key: string, delta: -1 | 1): JSONObject | null {
  const views = servicesOf(doc);
  const index = views.findIndex(v => v.key === key);
  const other = index + delta;
  if (index < 0 || other < 0 || other >= views.length) {
    return null;
  }
  const services = servicesObject(doc);
  const orders = views.map(v => v.order);
  const distinct = orders.every((o, i) => o !== null && orders.indexOf(o) === i);
  [views[index], views[other]] = [views[other], views[index]];
  const next: JSONObject = { ...services };
  views.forEach((view, i) => {
    const order = distinct ? (orders[i] as number) : i;
    if (view.order !== order) {
      next[view.key] = { ...view.service, order };
    }
  });
  return next;
}
