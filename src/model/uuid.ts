/**
 * A random (version 4) UUID in lower case, as the pipeline schema wants.
 */
export function uuid4(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    return c.randomUUID().toLowerCase();
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < 16; i++) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Whether a string is a lower-case UUID (the pipeline schema's pattern).
 */
export function isUuid(text: unknown): text is string {
  return (
    typeof text === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)
  );
}

/**
 * The nil UUID: a step's environment when neither the pipeline nor the
 * project names one (the server warns and runs the step in the default
 * environment).
 */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
