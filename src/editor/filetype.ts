/**
 * The `.orchest` file type of the document registry, and `.orchest` files
 * highlighted as JSON in the text editor.
 */

import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';

import { pipelineIcon } from '../icons';

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
 * Register the `.orchest` file type.
 */
export function addPipelineFileType(docRegistry: DocumentRegistry, trans: TranslationBundle): void {
  docRegistry.addFileType({
    name: PIPELINE_FILE_TYPE,
    displayName: trans.__('Orchest pipeline'),
    extensions: ['.orchest'],
    mimeTypes: ['application/json'],
    contentType: 'file',
    fileFormat: 'text',
    icon: pipelineIcon
  });
}

/**
 * Make the text editor highlight `.orchest` files as JSON.
 *
 * The editor picks its language from the file name through the CodeMirror
 * language registry, not from the document registry's file type, so the
 * `.orchest` extension is registered there too, as a language of its own
 * (the registry takes each MIME type once) that loads the JSON support.
 */
export function registerEditorLanguage(languages: IEditorLanguageRegistry): void {
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
