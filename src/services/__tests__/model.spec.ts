import { JSONObject, parse } from '../../model';
import { checkDraft, IDraftContext, isValidDraft, parsePorts, splitsAsShellWords } from '../checks';
import { newServiceDraft, serviceDraft, serviceFromDraft } from '../draft';
import { nextOrder, servicesOf, withService, withServiceMoved, withoutService } from '../model';

const trans = {
  __: (text: string, ...args: unknown[]): string =>
    text.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const ENV = '30cfd18d-c5ec-4651-8a9b-6e12c36fc3b5';
const context: IDraftContext = { otherNames: new Set(['redis']), environments: [ENV] };

// Orchest's own test project (services-connectivity), trimmed: an older file
// (entrypoint + command) and the newer form (command + args, exposed, order).
const doc = parse(`{
  "services": {
    "streamlit": {
      "binds": {"/data": "/data", "/project-dir": "/usr/src/app/src"},
      "command": "-c 'streamlit run src/streamlit.py'",
      "entrypoint": "bash",
      "env_variables": {"STREAMLIT_SERVER_BASE_URL_PATH": "$BASE_PATH_PREFIX_8501"},
      "image": "orchest/streamlit",
      "name": "streamlit",
      "ports": [8501],
      "preserve_base_path": true,
      "scope": ["interactive", "noninteractive"]
    },
    "redis": {
      "exposed": false,
      "image": "redis",
      "name": "redis",
      "order": 0,
      "ports": ["6379"],
      "requires_authentication": true,
      "scope": ["interactive"]
    }
  }
}`) as JSONObject;

function problems(patch: Partial<ReturnType<typeof newServiceDraft>>) {
  return checkDraft({ ...newServiceDraft(new Set()), image: 'redis', ...patch }, context, trans);
}

describe('services', () => {
  it('lists services in start order, those without an order last', () => {
    const views = servicesOf(doc);
    expect(views.map(v => v.key)).toEqual(['redis', 'streamlit']);
    expect(views[0].ports).toEqual([6379]);
    expect(views[1].order).toBeNull();
    expect(views[1].scope).toEqual(['interactive', 'noninteractive']);
    expect(servicesOf({})).toEqual([]);
  });

  it('reads a service into a draft and writes it back unchanged', () => {
    const streamlit = (doc.services as JSONObject).streamlit as JSONObject;
    const draft = serviceDraft(streamlit);
    expect(draft.projectDir).toBe('/usr/src/app/src');
    expect(draft.env).toEqual([{ name: 'STREAMLIT_SERVER_BASE_URL_PATH', value: '$BASE_PATH_PREFIX_8501' }]);
    expect(draft.requiresAuthentication).toBe(true);
    expect(draft.exposed).toBe(false);
    const written = serviceFromDraft(draft, streamlit, 7);
    // What Orchest's form always writes is added; nothing else changes.
    expect(written).toEqual({ ...streamlit, exposed: false, requires_authentication: true, order: 7 });
  });

  it('writes a new service in Orchest’s shape', () => {
    const draft = {
      ...newServiceDraft(new Set(['my-service'])),
      image: `environment@${ENV}`,
      command: 'bash',
      args: "-c 'python -m http.server 8000'",
      env: [
        { name: 'MODE', value: 'test' },
        { name: '', value: '' }
      ],
      inherit: 'API_KEY, TOKEN API_KEY',
      dataDir: '/data'
    };
    expect(draft.name).toBe('my-service1');
    expect(checkDraft(draft, context, trans)).toEqual({});
    expect(serviceFromDraft(draft, null, 3)).toEqual({
      name: 'my-service1',
      image: `environment@${ENV}`,
      command: 'bash',
      args: "-c 'python -m http.server 8000'",
      binds: { '/data': '/data' },
      env_variables: { MODE: 'test' },
      env_variables_inherit: ['API_KEY', 'TOKEN'],
      exposed: true,
      requires_authentication: true,
      ports: [8000],
      scope: ['interactive', 'noninteractive'],
      order: 3
    });
  });

  it('removes cleared optional fields only when the file did not have them', () => {
    const previous = { name: 'a', image: 'redis', scope: ['interactive'], command: 'x', order: 1 };
    const written = serviceFromDraft({ ...serviceDraft(previous), command: '' }, previous, 0);
    expect(written.command).toBe('');
    expect('args' in written).toBe(false);
    expect('binds' in written).toBe(false);
    const old = { ...previous, entrypoint: 'bash' };
    expect('entrypoint' in serviceFromDraft({ ...serviceDraft(old), entrypoint: '' }, old, 0)).toBe(false);
  });

  it('checks names: DNS-safe, at most 26 characters, unique', () => {
    expect(problems({ name: 'my-db2' })).toEqual({});
    expect(problems({ name: '' }).name).toBe('Give the service a name.');
    for (const bad of ['My-db', '2db', 'db_1', 'db.1', 'a'.repeat(27), 'db ']) {
      expect(problems({ name: bad }).name).toMatch(/lower-case letter/);
    }
    expect(problems({ name: 'a'.repeat(26) }).name).toBeUndefined();
    expect(problems({ name: 'redis' }).name).toBe('Another service is named redis.');
  });

  it('checks ports: whole numbers 1-65535, each once, none at all allowed', () => {
    expect(parsePorts('80, 8080 443', trans)).toEqual({ ports: [80, 8080, 443] });
    expect(problems({ ports: '0' }).ports).toBe('Port “0” is not a whole number from 1 to 65535.');
    expect(problems({ ports: '65536' }).ports).toMatch(/not a whole number/);
    expect(problems({ ports: '80.5' }).ports).toMatch(/“80.5”/);
    expect(problems({ ports: 'http' }).ports).toMatch(/“http”/);
    expect(problems({ ports: '80, 80' }).ports).toBe('Port 80 is given twice.');
    expect(problems({ ports: '' }).ports).toBeUndefined();
  });

  it('checks images: a Docker reference or an environment of the project', () => {
    for (const good of ['redis', 'redis:7', 'tensorflow/tensorflow:2.15.0-gpu', 'localhost:5000/a/b', `environment@${ENV}`]) {
      expect(problems({ image: good }).image).toBeUndefined();
    }
    expect(problems({ image: '' }).image).toMatch(/Give an image name/);
    expect(problems({ image: 'Redis' }).image).toMatch(/not an image name/);
    expect(problems({ image: 'redis 7' }).image).toMatch(/not an image name/);
    expect(problems({ image: 'environment@nope' }).image).toBe('The project has no environment nope.');
    const unknown = checkDraft(
      { ...newServiceDraft(new Set()), image: 'environment@nope' },
      { ...context, environments: null },
      trans
    );
    expect(unknown.image).toBeUndefined();
  });

  it('checks variables, mounts, scope and arguments', () => {
    expect(problems({ env: [{ name: 'A B', value: '1' }] }).env).toMatch(/“A B” is not a variable name/);
    expect(problems({ env: [{ name: '', value: '1' }] }).env).toMatch(/“” is not a variable name/);
    expect(
      problems({
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' }
        ]
      }).env
    ).toBe('The variable A is given twice.');
    expect(problems({ env: [{ name: 'MY-VAR', value: '1' }] }).env).toMatch(/“MY-VAR” is not a variable name/);
    expect(problems({ env: [{ name: '1ST', value: '1' }] }).env).toMatch(/“1ST”/);
    expect(problems({ env: [{ name: '_Ok_2', value: '' }] }).env).toBeUndefined();
    expect(problems({ inherit: 'OK, NOT.OK' }).inherit).toMatch(/“NOT.OK”/);
    expect(problems({ projectDir: 'app' }).projectDir).toMatch(/must be absolute/);
    expect(problems({ dataDir: '/data' }).dataDir).toBeUndefined();
    expect(problems({ scope: [] }).scope).toMatch(/Choose when/);
    expect(problems({ args: "-c 'echo" }).args).toMatch(/Close the quotes/);
    expect(problems({ command: "-c 'echo" }).command).toBeUndefined();
    expect(problems({ entrypoint: 'bash', command: "-c 'echo" }).command).toMatch(/Close the quotes/);
    expect(problems({ entrypoint: 'bash', args: '-c x' }).entrypoint).toMatch(/cannot go with Args/);
    expect(isValidDraft(problems({}))).toBe(true);
    expect(isValidDraft(problems({ scope: [] }))).toBe(false);
  });

  it('splits arguments as shlex does', () => {
    expect(splitsAsShellWords(`-c 'echo "hi"' "a \\" b" c\\ d`)).toBe(true);
    expect(splitsAsShellWords(`'it\\'s'`)).toBe(false);
    expect(splitsAsShellWords('"open')).toBe(false);
    expect(splitsAsShellWords('end\\')).toBe(false);
  });

  it('adds, renames and removes services keyed by their names', () => {
    const services = doc.services as JSONObject;
    const added = withService(services, null, { name: 'db', image: 'postgres', scope: ['interactive'] });
    expect(Object.keys(added)).toEqual(['streamlit', 'redis', 'db']);
    const renamed = withService(added, 'redis', { ...(services.redis as JSONObject), name: 'cache' });
    expect(Object.keys(renamed)).toEqual(['streamlit', 'cache', 'db']);
    expect((renamed.cache as JSONObject).name).toBe('cache');
    expect(Object.keys(withoutService(renamed, 'db'))).toEqual(['streamlit', 'cache']);
    expect(nextOrder(doc)).toBe(1);
    expect(nextOrder({})).toBe(0);
  });

  it('moves a service in the start order', () => {
    // Orders missing: renumbered in the order shown.
    const moved = withServiceMoved(doc, 'streamlit', -1)!;
    expect(servicesOf({ services: moved }).map(v => [v.key, v.order])).toEqual([
      ['streamlit', 0],
      ['redis', 1]
    ]);
    // Distinct orders: the two swap theirs, the others stay.
    const three = { services: { ...moved, db: { name: 'db', image: 'postgres', scope: [], order: 5 } } };
    const swapped = withServiceMoved(three, 'db', -1)!;
    expect(servicesOf({ services: swapped }).map(v => [v.key, v.order])).toEqual([
      ['streamlit', 0],
      ['db', 1],
      ['redis', 5]
    ]);
    expect(withServiceMoved(doc, 'redis', -1)).toBeNull();
    expect(withServiceMoved(doc, 'nothing', 1)).toBeNull();
  });
});
