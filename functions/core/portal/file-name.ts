/**
 * How a file name reads in an upload's key: the leaf of a Windows or Unix path, NFC, letters of any script, digits,
 * space and . _ - ( ) kept, at most 100 characters, the extension lower-cased. Pure and free of Node modules: the web
 * app imports it too, to match a chosen file with an earlier upload by the name the server kept.
 */
export interface FileNameParts {
  /** The name without its folders, NFC. */
  readonly leaf: string;
  /** The readable base ('upload' when nothing readable is left); absent when the name has no extension. */
  readonly base?: string;
  /** The extension, lower case, with its dot. */
  readonly ext?: string;
}

export function fileNameParts(name: string): FileNameParts {
  const leaf = (name.split(/[\\/]/).pop() ?? '').normalize('NFC');
  const m = /^(.*?)(\.[A-Za-z]+)$/.exec(leaf);
  if (!m) return { leaf };
  const base =
    m[1]!
      .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 100) || 'upload';
  return { leaf, base, ext: m[2]!.toLowerCase() };
}
