/**
 * What is wrong with a service's draft, field by field, as Orchest checks a
 * service (its name rule, ports, binds, variables, scope) and as Docker reads
 * an image name.
 */

import { ENVIRONMENT_IMAGE_PREFIX } from './model';
import { IServiceDraft, words } from './draft';

/**
 * Orchest's rule for a service name (`is_service_name_valid`): it becomes a
 * host name on the session's network, so a DNS label of at most 26
 * characters, starting with a letter.
 */
export const SERVICE_NAME = /^[a-z][0-9a-z-]{0,25}$/;

/**
 * The name of an environment variable, as the server checks it: a shell's
 * (Orchest also allows '-' and a leading digit, which shells cannot use).
 */
export const ENV_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

/** What is wrong with a draft, by field. */
export type DraftProblems = Partial<Record<keyof IServiceDraft, string>>;

/** What a draft is checked against. */
export interface IDraftContext {
  /** The names of the pipeline's other services. */
  otherNames: ReadonlySet<string>;
  /** The uuids of the project's environments, or null when not known. */
  environments: readonly string[] | null;
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
      return trans.__('“%1” is not a variable name (letters, digits and _, not first a digit).', name);
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
  // The arguments: `args`, or `command` in Orchest's older form (with `entrypoint`).
  const argsField = draft.entrypoint ? 'command' : 'args';
  if (!splitsAsShellWords(draft[argsField])) {
    problems[argsField] = trans.__('Close the quotes of the arguments (they are split as a shell splits them).');
  }
  const ports = parsePorts(draft.ports, trans);
  if ('problem' in ports) {
    problems.ports = ports.problem;
  }
  problems.env = checkVariables(draft, trans);
  const badInherit = words(draft.inherit).find(name => !ENV_VARIABLE_NAME.test(name));
  if (badInherit !== undefined) {
    problems.inherit = trans.__('“%1” is not a variable name (letters, digits and _, not first a digit).', badInherit);
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
