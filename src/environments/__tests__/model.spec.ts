/**
 * The environments panel's logic: the form, which events concern a project,
 * how build events change the list.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { IBuild, IEnvironment } from '../../api';
import { IBuildEvent } from '../../events';
import { buildStatusLabel } from '../../status';
import {
  applyBuildEvent,
  changedFields,
  eventEffect,
  fieldsOf,
  formOf,
  formProblems,
  isBuildActive,
  isBuildOfProject,
  isProjectDir,
  laterBuild,
  mergeEnvironments,
  withLanguage
} from '../model';

// JupyterLab's English bundle: the text with %1, %2… replaced (its package is
// ES modules only, which jest does not load).
const trans = {
  __: (text: string, ...args: unknown[]) => text.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]))
} as unknown as TranslationBundle;

function env(overrides: Partial<IEnvironment> = {}): IEnvironment {
  return {
    uuid: 'e1',
    name: 'Python 3',
    language: 'python',
    base_image: 'orchest/base-kernel-py',
    gpu_support: false,
    network: false,
    setup_script: '#!/bin/bash\n',
    kernel_name: 'orchest-kernel-e1',
    valid: true,
    problems: [],
    project: 'proj',
    build: null,
    ...overrides
  };
}

function build(status: IBuild['status'], uuid = 'b1'): IBuild {
  return { uuid, environment_uuid: 'e1', image: 'orchest-jlab/proj:e1', status };
}

function buildEvent(overrides: Partial<IBuildEvent> = {}): IBuildEvent {
  return {
    type: 'build',
    seq: 1,
    build_uuid: 'b1',
    environment_uuid: 'e1',
    project_dir: '/srv/root/proj',
    status: 'BUILDING',
    build: build('BUILDING'),
    ...overrides
  };
}

describe('the environment form', () => {
  it("starts from Orchest's defaults, or from an environment", () => {
    expect(formOf()).toEqual({
      name: '',
      language: 'python',
      baseImage: 'orchest/base-kernel-py',
      gpuSupport: false,
      network: false
    });
    expect(formOf(env({ language: 'r', base_image: null, network: true }))).toEqual({
      name: 'Python 3',
      language: 'r',
      baseImage: 'orchest/base-kernel-r',
      gpuSupport: false,
      network: true
    });
  });

  it('follows the language with a default base image, keeps a typed one', () => {
    expect(withLanguage(formOf(), 'julia').baseImage).toBe('orchest/base-kernel-julia');
    const typed = { ...formOf(), baseImage: 'my/image:1' };
    expect(withLanguage(typed, 'r').baseImage).toBe('my/image:1');
  });

  it('names what is missing or wrong', () => {
    expect(formProblems({ ...formOf(), name: ' ' }, trans).map(p => p.field)).toEqual(['name']);
    const problems = formProblems({ ...formOf(), name: 'x', baseImage: 'my image' }, trans);
    expect(problems).toEqual([{ field: 'baseImage', message: 'A base image name has no spaces: "my image".' }]);
    expect(formProblems({ ...formOf(), name: 'x', baseImage: '' }, trans)[0].field).toBe('baseImage');
    expect(formProblems({ ...formOf(), name: 'x' }, trans)).toEqual([]);
  });

  it('sends trimmed fields, and only the changed ones in a PATCH', () => {
    expect(fieldsOf({ ...formOf(), name: ' Data ', baseImage: ' img ' })).toEqual({
      name: 'Data',
      language: 'python',
      base_image: 'img',
      gpu_support: false,
      network: false
    });
    const e = env();
    expect(changedFields(e, formOf(e))).toEqual({});
    expect(changedFields(e, { ...formOf(e), name: 'Other', network: true })).toEqual({
      name: 'Other',
      network: true
    });
  });
});

describe('events of a project', () => {
  it('matches the absolute folder of build events to the project', () => {
    expect(isProjectDir('/srv/root/proj', 'proj', '/srv/root')).toBe(true);
    expect(isProjectDir('/srv/root/proj/', 'proj/', '/srv/root/')).toBe(true);
    expect(isProjectDir('/srv/root/other/proj', 'proj', '/srv/root')).toBe(false);
    expect(isProjectDir('/srv/root', '', '/srv/root')).toBe(true);
    expect(isProjectDir('/srv/root/proj', '', '/srv/root')).toBe(false);
    // Without the root: by the end of the path.
    expect(isProjectDir('/srv/root/a/proj', 'a/proj', '')).toBe(true);
    expect(isProjectDir('/srv/root/xa/proj', 'a/proj', '')).toBe(false);
  });

  it('prefers the relative project path of a build event when the server gives it', () => {
    expect(isBuildOfProject(buildEvent({ project_path: 'proj' }), 'proj', '/elsewhere')).toBe(true);
    expect(isBuildOfProject(buildEvent({ project_path: 'other' }), 'proj', '/srv/root')).toBe(false);
    expect(isBuildOfProject(buildEvent(), 'proj', '/srv/root')).toBe(true);
  });

  it('reloads on reset and on environment events of the project, applies its builds', () => {
    expect(eventEffect({ type: 'reset' }, 'proj', '/srv/root')).toBe('reload');
    const changed = {
      type: 'environment' as const,
      seq: 2,
      action: 'created' as const,
      project_path: 'proj',
      environment_uuid: 'e2'
    };
    expect(eventEffect(changed, 'proj', '/srv/root')).toBe('reload');
    expect(eventEffect({ ...changed, project_path: 'other' }, 'proj', '/srv/root')).toBeNull();
    expect(eventEffect(buildEvent(), 'proj', '/srv/root')).toBe('build');
    expect(eventEffect(buildEvent({ project_dir: '/srv/root/other' }), 'proj', '/srv/root')).toBeNull();
    // Log lines carry no record: the list has nothing to change.
    expect(eventEffect(buildEvent({ build: undefined, line: 'x' }), 'proj', '/srv/root')).toBeNull();
    expect(
      eventEffect({ type: 'log', seq: 3, run_uuid: 'r', step_uuid: 's', line: 'x' }, 'proj', '/srv/root')
    ).toBeNull();
  });

  it('gives the environment of a build event its record', () => {
    const list = [env(), env({ uuid: 'e2', name: 'R' })];
    const next = applyBuildEvent(list, buildEvent({ build: build('SUCCESS'), status: 'SUCCESS' }));
    expect(next[0].build?.status).toBe('SUCCESS');
    expect(next[1]).toBe(list[1]);
    expect(list[0].build).toBeNull();
    expect(applyBuildEvent(list, buildEvent({ environment_uuid: 'e3' }))).toBe(list);
  });
});

describe('build status', () => {
  it('is active until it ends', () => {
    expect(isBuildActive('PENDING')).toBe(true);
    expect(isBuildActive('BUILDING')).toBe(true);
    expect(isBuildActive('SUCCESS')).toBe(false);
    expect(isBuildActive('ABORTED')).toBe(false);
    expect(isBuildActive(null)).toBe(false);
  });

  it('has a label, also before the first build', () => {
    expect(buildStatusLabel(trans, null)).toBe('Not built');
    expect(buildStatusLabel(trans, build('FAILURE'))).toBe('Build failed');
    expect(buildStatusLabel(trans, { ...build('SUCCESS'), skipped: true })).toBe('Built (up to date)');
  });

  it('says a build made from other files needs a rebuild', () => {
    const built = { ...build('SUCCESS'), source_hash: 'a' };
    expect(buildStatusLabel(trans, built, 'a')).toBe('Built');
    expect(buildStatusLabel(trans, built, 'b')).toBe('Needs a rebuild (changed since built)');
    // Records from before builds kept their source, and environments shown without Docker: no claim.
    expect(buildStatusLabel(trans, build('SUCCESS'), 'b')).toBe('Built');
    expect(buildStatusLabel(trans, built, undefined)).toBe('Built');
    expect(buildStatusLabel(trans, { ...build('FAILURE'), source_hash: 'a' }, 'b')).toBe('Build failed');
  });
});

describe('a REST answer older than the build events', () => {
  it('never moves a build back', () => {
    expect(laterBuild(build('BUILDING'), build('PENDING'))?.status).toBe('BUILDING');
    expect(laterBuild(build('BUILDING'), build('SUCCESS'))?.status).toBe('SUCCESS');
    expect(laterBuild(null, build('PENDING'))?.status).toBe('PENDING');
    expect(laterBuild(build('FAILURE'), null)?.status).toBe('FAILURE');
  });

  it('keeps the build requested last', () => {
    const older = { ...build('SUCCESS', 'b1'), requested: '2026-11-28T10:00:00.000+00:00' };
    const newer = { ...build('PENDING', 'b2'), requested: '2026-11-28T11:00:00.000+00:00' };
    expect(laterBuild(newer, older)?.uuid).toBe('b2');
    expect(laterBuild(older, newer)?.uuid).toBe('b2');
  });

  it('merges an answer into what is shown', () => {
    const shown = [env({ build: build('BUILDING') }), env({ uuid: 'e2', build: null })];
    const answer = [env({ build: build('PENDING'), name: 'Renamed' }), env({ uuid: 'e2', build: build('PENDING', 'b9') })];
    const merged = mergeEnvironments(shown, answer);
    expect(merged.map(e => [e.name, e.build?.status])).toEqual([
      ['Renamed', 'BUILDING'],
      ['Python 3', 'PENDING']
    ]);
    expect(mergeEnvironments(null, answer)).toEqual(answer);
  });
});
