import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import { pipelineIcon } from './icons';

/**
 * Name of the document registry file type of `.orchest` pipeline files.
 */
export const PIPELINE_FILE_TYPE = 'orchest-pipeline';

/**
 * MIME type of `.orchest` files in the text editor.
 */
export const PIPELINE_MIME_TYPE = 'application/x-orchest-pipeline+json';

/**
 * Name of the CodeMirror language of `.orchest` files.
 */
const LANGUAGE_NAME = 'Orchest pipeline';

/**
 * Make the text editor highlight `.orchest` files as JSON.
 *
 * The editor picks its language from the file name through the CodeMirror
 * language registry, not from the document registry's file type, so the
 * `.orchest` extension is registered there too, as a language of its own
 * (the registry takes each MIME type once) that loads the JSON support.
 */
function registerEditorLanguage(languages: IEditorLanguageRegistry): void {
  const json = languages.findByMIME('application/json');
  if (!json || languages.findByName(LANGUAGE_NAME)) {
    return;
  }
  languages.addLanguage({
    name: LANGUAGE_NAME,
    displayName: 'Orchest pipeline (JSON)',
    mime: PIPELINE_MIME_TYPE,
    extensions: ['orchest'],
    load: async () => {
      const language = await languages.getLanguage(json);
      if (!language?.support) {
        throw new Error('The JSON language of CodeMirror is not available');
      }
      return language.support;
    }
  });
}

/**
 * Registers the `.orchest` pipeline file type.
 *
 * Until the pipeline editor exists, these files open in the text editor:
 * its widget factory is registered for every file type (`*`), so a
 * double-click on a `.orchest` file opens it there.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:plugin',
  description: 'Orchest pipelines inside JupyterLab.',
  autoStart: true,
  optional: [IEditorLanguageRegistry],
  activate: (
    app: JupyterFrontEnd,
    languages: IEditorLanguageRegistry | null
  ): void => {
    app.docRegistry.addFileType({
      name: PIPELINE_FILE_TYPE,
      displayName: 'Orchest pipeline',
      extensions: ['.orchest'],
      mimeTypes: ['application/json'],
      contentType: 'file',
      fileFormat: 'text',
      icon: pipelineIcon
    });
    if (languages) {
      try {
        registerEditorLanguage(languages);
      } catch (reason) {
        // Highlighting is a nicety: never lose the file type over it.
        console.warn('orchest-jlab: no JSON highlighting of .orchest files', reason);
      }
    }
  }
};

export default plugin;
