/**
 * The logic of the environments panel that needs no DOM: the form of an
 * environment's properties, which events concern a project, and how build
 * events change the list.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import {
  BuildStatus,
  EnvironmentLanguage,
  FINAL_BUILD_STATUSES,
  IBuild,
  IEnvironment,
  IEnvironmentFields
} from '../api';
import { IBuildEvent, OrchestEvent } from '../events';

/** The languages of environments, in the order the form offers them. */
export const LANGUAGES: readonly EnvironmentLanguage[] = ['python', 'r', 'julia', 'javascript'];

/**
 * Orchest's base image of each language (the server's alias map points them
 * at images available here).
 */
export const DEFAULT_BASE_IMAGES: { readonly [language in EnvironmentLanguage]: string } = {
  python: 'orchest/base-kernel-py',
  r: 'orchest/base-kernel-r',
  julia: 'orchest/base-kernel-julia',
  javascript: 'orchest/base-kernel-javascript'
};

/** Orchest's GPU base image of Python. */
export const GPU_BASE_IMAGE = 'orchest/base-kernel-py-gpu';

/**
 * The editable properties of an environment, as the form holds them.
 */
export interface IEnvironmentForm {
  name: string;
  language: EnvironmentLanguage;
  baseImage: string;
  gpuSupport: boolean;
  network: boolean;
}

/** A problem of the form, on one of its fields. */
export interface IFormProblem {
  field: keyof IEnvironmentForm;
  message: string;
}

function asLanguage(value: string | undefined): EnvironmentLanguage {
  return (LANGUAGES as readonly string[]).includes(value ?? '') ? (value as EnvironmentLanguage) : 'python';
}

/**
 * The form of an environment, or of a new one (Orchest's defaults).
 */
export function formOf(env?: IEnvironment | null): IEnvironmentForm {
  if (!env) {
    return { name: '', language: 'python', baseImage: DEFAULT_BASE_IMAGES.python, gpuSupport: false, network: false };
  }
  const language = asLanguage(env.language);
  return {
    name: env.name,
    language,
    baseImage: env.base_image ?? DEFAULT_BASE_IMAGES[language],
    gpuSupport: env.gpu_support === true,
    network: env.network === true
  };
}

/**
 * The form after choosing a language: the base image follows the language
 * while it is still one of Orchest's defaults (a typed one is kept).
 */
export function withLanguage(form: IEnvironmentForm, language: EnvironmentLanguage): IEnvironmentForm {
  const defaults = [...Object.values(DEFAULT_BASE_IMAGES), GPU_BASE_IMAGE];
  const baseImage = defaults.includes(form.baseImage.trim()) || !form.baseImage.trim()
    ? DEFAULT_BASE_IMAGES[language]
    : form.baseImage;
  return { ...form, language, baseImage };
}

/**
 * What is wrong with the form, field by field (empty when it can be sent).
 */
export function formProblems(form: IEnvironmentForm, trans: TranslationBundle): IFormProblem[] {
  const problems: IFormProblem[] = [];
  if (!form.name.trim()) {
    problems.push({ field: 'name', message: trans.__('The environment needs a name.') });
  }
  const image = form.baseImage.trim();
  if (!image) {
    problems.push({ field: 'baseImage', message: trans.__('The environment needs a base image, e.g. %1.', DEFAULT_BASE_IMAGES.python) });
  } else if (/\s/.test(image)) {
    problems.push({ field: 'baseImage', message: trans.__('A base image name has no spaces: "%1".', image) });
  }
  return problems;
}

/** The fields of a new environment, from the form. */
export function fieldsOf(form: IEnvironmentForm): IEnvironmentFields {
  return {
    name: form.name.trim(),
    language: form.language,
    base_image: form.baseImage.trim(),
    gpu_support: form.gpuSupport,
    network: form.network
  };
}

/**
 * The fields the form changes in an environment (what a PATCH sends; empty
 * when nothing changed).
 */
export function changedFields(env: IEnvironment, form: IEnvironmentForm): IEnvironmentFields {
  const before = fieldsOf(formOf(env));
  const after = fieldsOf(form);
  const changed: IEnvironmentFields = {};
  for (const key of Object.keys(after) as (keyof IEnvironmentFields)[]) {
    if (after[key] !== before[key]) {
      (changed as { [key: string]: unknown })[key] = after[key];
    }
  }
  return changed;
}

/** Whether a build is still to end. */
export function isBuildActive(status: BuildStatus | null | undefined): boolean {
  return !!status && !FINAL_BUILD_STATUSES.has(status);
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '').replace(/^\/+/, '');
}

/**
 * Whether an absolute project folder (as build events give it) is the
 * project `project` (relative to the server's root `serverRoot`). Without
 * the root, a folder ending with the project's path is taken.
 */
export function isProjectDir(projectDir: string, project: string, serverRoot: string): boolean {
  const dir = projectDir.replace(/\/+$/, '');
  const relative = trimSlashes(project);
  const root = serverRoot.replace(/\/+$/, '');
  if (root) {
    return dir === (relative ? `${root}/${relative}` : root);
  }
  return relative ? dir === relative || dir.endsWith(`/${relative}`) : false;
}

/** Whether a build event is about an environment of the project. */
export function isBuildOfProject(event: IBuildEvent, project: string, serverRoot: string): boolean {
  if (typeof event.project_path === 'string') {
    return trimSlashes(event.project_path) === trimSlashes(project);
  }
  return isProjectDir(event.project_dir, project, serverRoot);
}

/**
 * What an event means for the environments of a project: `reload` the list,
 * apply a `build`, or nothing.
 */
export function eventEffect(
  event: OrchestEvent,
  project: string,
  serverRoot: string
): 'reload' | 'build' | null {
  if (event.type === 'reset') {
    return 'reload';
  }
  if (event.type === 'environment') {
    return trimSlashes(event.project_path) === trimSlashes(project) ? 'reload' : null;
  }
  if (event.type === 'build' && event.build && isBuildOfProject(event, project, serverRoot)) {
    return 'build';
  }
  return null;
}

/**
 * The environments after a build event: the environment it is about gets the
 * event's build record (the same list when none changes).
 */
export function applyBuildEvent(environments: IEnvironment[], event: IBuildEvent): IEnvironment[] {
  const build: IBuild | undefined = event.build;
  if (!build) {
    return environments;
  }
  let changed = false;
  const next = environments.map(env => {
    if (env.uuid !== event.environment_uuid) {
      return env;
    }
    changed = true;
    return { ...env, build };
  });
  return changed ? next : environments;
}

const BUILD_PROGRESS: { [status in BuildStatus]: number } = {
  PENDING: 0,
  BUILDING: 1,
  SUCCESS: 2,
  FAILURE: 2,
  ABORTED: 2
};

/**
 * The later of two records of an environment's build. A REST answer can be
 * older than a build event that arrived before it (they travel apart): a
 * build's status only moves forward, and a later request is a later build.
 */
export function laterBuild(a: IBuild | null | undefined, b: IBuild | null | undefined): IBuild | null | undefined {
  if (!a || !b) {
    return b ?? a;
  }
  if (a.uuid === b.uuid) {
    return BUILD_PROGRESS[a.status] > BUILD_PROGRESS[b.status] ? a : b;
  }
  return (a.requested ?? '') > (b.requested ?? '') ? a : b;
}

/**
 * The environments a REST answer lists, each with the later of its build and
 * the one already shown (see `laterBuild`).
 */
export function mergeEnvironments(shown: IEnvironment[] | null, answer: IEnvironment[]): IEnvironment[] {
  const builds = new Map((shown ?? []).map(env => [env.uuid, env.build]));
  return answer.map(env => {
    const build = laterBuild(builds.get(env.uuid), env.build);
    return build === env.build ? env : { ...env, build };
  });
}

/** The label of a language. */
export function languageLabel(trans: TranslationBundle, language: string): string {
  switch (language) {
    case 'python':
      return trans.__('Python');
    case 'r':
      return trans.__('R');
    case 'julia':
      return trans.__('Julia');
    case 'javascript':
      return trans.__('JavaScript');
  }
  return language;
}
