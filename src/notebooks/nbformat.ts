/**
 * A notebook file's JSON as JupyterLab's models expect it.
 *
 * On disk (nbformat 4) multi-line text may be a list of lines; the server's
 * contents manager joins them (nbformat's `rejoin_lines`) before JupyterLab
 * sees a notebook. A notebook read any other way (a run's file) must be joined
 * the same way, or `NotebookModel.fromJSON` renders a list as `a\n,b`.
 */

type JSONObject = { [key: string]: unknown };

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function joined(value: unknown): unknown {
  return Array.isArray(value) && value.every(line => typeof line === 'string') ? value.join('') : value;
}

/** JSON mime types keep their (structured) value, as nbformat's `_is_json_mime`. */
function isJSONMime(mime: string): boolean {
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

function joinBundle(bundle: unknown): unknown {
  if (!isObject(bundle)) {
    return bundle;
  }
  const out: JSONObject = {};
  for (const [mime, value] of Object.entries(bundle)) {
    out[mime] = isJSONMime(mime) ? value : joined(value);
  }
  return out;
}

function joinOutput(output: unknown): unknown {
  if (!isObject(output)) {
    return output;
  }
  const out: JSONObject = { ...output };
  if (output.output_type === 'execute_result' || output.output_type === 'display_data') {
    if ('data' in output) {
      out.data = joinBundle(output.data);
    }
  } else if ('text' in output) {
    out.text = joined(output.text);
  }
  return out;
}

function joinCell(cell: unknown): unknown {
  if (!isObject(cell)) {
    return cell;
  }
  const out: JSONObject = { ...cell };
  if ('source' in cell) {
    out.source = joined(cell.source);
  }
  if (isObject(cell.attachments)) {
    const attachments: JSONObject = {};
    for (const [name, bundle] of Object.entries(cell.attachments)) {
      attachments[name] = joinBundle(bundle);
    }
    out.attachments = attachments;
  }
  if (cell.cell_type === 'code' && Array.isArray(cell.outputs)) {
    out.outputs = cell.outputs.map(joinOutput);
  }
  return out;
}

/**
 * The notebook with its multi-line strings joined, as nbformat's
 * `rejoin_lines` does (a new value; the argument is not changed).
 */
export function rejoinLines<T>(notebook: T): T {
  if (!isObject(notebook) || !Array.isArray(notebook.cells)) {
    return notebook;
  }
  return { ...notebook, cells: notebook.cells.map(joinCell) } as T;
}
