/**
 * The small parts of an xlsx, read whole with saxes: the package and workbook relationships and workbook.xml (sheet
 * names and order, the 1904 date system, where styles and shared strings are).
 */
import { posix } from 'node:path';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type yauzl from 'yauzl';
import { classify, corrupt } from './errors.ts';
import { entryText, type Package } from './zip.ts';

const localName = (name: string): string => {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
};

/** Parses a whole part with saxes, calling `onOpen` for each start tag with its local name and attributes. */
export async function parseSmallPart(
  pkg: Package,
  entry: yauzl.Entry,
  onOpen: (local: string, attrs: Record<string, string>) => void,
  onClose?: (local: string) => void,
): Promise<void> {
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  parser.on('opentag', (tag: SaxesTagPlain) => onOpen(localName(tag.name), tag.attributes));
  if (onClose) parser.on('closetag', (tag: SaxesTagPlain) => onClose(localName(tag.name)));
  try {
    for await (const text of entryText(pkg, entry)) parser.write(text);
    parser.close();
  } catch (e) {
    throw classify(e, entry.fileName);
  }
}

interface Relationship {
  readonly type: string;
  /** Part name, resolved against the source part, without the leading slash. */
  readonly target: string;
}

function resolveTarget(fromPart: string, target: string): string {
  if (target.startsWith('/')) return posix.normalize(target).slice(1);
  return posix.normalize(posix.join(posix.dirname(fromPart), target)).replace(/^(\.\.\/)+/, '');
}

/** The relationships of `part` (e.g. xl/workbook.xml -> xl/_rels/workbook.xml.rels), by Id; empty if none. */
async function readRelationships(pkg: Package, part: string): Promise<Map<string, Relationship>> {
  const relsPart = posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
  const rels = new Map<string, Relationship>();
  const entry = pkg.entries.get(relsPart.toLowerCase());
  if (!entry) return rels;
  await parseSmallPart(pkg, entry, (local, a) => {
    if (local !== 'Relationship' || a.TargetMode === 'External' || !a.Id || !a.Target) return;
    rels.set(a.Id, { type: a.Type ?? '', target: resolveTarget(part, a.Target) });
  });
  return rels;
}

/** The zip entry of a part name, tolerating case and percent-encoding differences. */
export function findPart(pkg: Package, name: string): yauzl.Entry | undefined {
  const e = pkg.entries.get(name.toLowerCase());
  if (e) return e;
  try {
    return pkg.entries.get(decodeURIComponent(name).toLowerCase());
  } catch {
    return undefined;
  }
}

const typeIs = (rel: Relationship, kind: string): boolean => rel.type.endsWith(`/${kind}`);

export interface SheetInfo {
  readonly name: string;
  readonly state: string;
  readonly entry: yauzl.Entry;
}

export interface WorkbookInfo {
  readonly date1904: boolean;
  /** Worksheets in workbook order (chartsheets, dialog and macro sheets left out). */
  readonly sheets: readonly SheetInfo[];
  readonly styles: yauzl.Entry | undefined;
  readonly sharedStrings: yauzl.Entry | undefined;
}

export async function readWorkbookInfo(pkg: Package): Promise<WorkbookInfo> {
  const root = await readRelationships(pkg, '');
  const office = [...root.values()].find((r) => typeIs(r, 'officeDocument'));
  const workbookPart = office?.target ?? 'xl/workbook.xml';
  const workbookEntry = findPart(pkg, workbookPart) ?? findPart(pkg, 'xl/workbook.xml');
  if (!workbookEntry) throw corrupt('the zip has no workbook part (xl/workbook.xml): not an xlsx workbook', { part: workbookPart });
  const part = workbookEntry.fileName;

  let date1904 = false;
  const listed: Array<{ name: string; state: string; rid: string }> = [];
  await parseSmallPart(pkg, workbookEntry, (local, a) => {
    if (local === 'workbookPr') {
      const v = (a.date1904 ?? '').trim().toLowerCase();
      date1904 = v === '1' || v === 'true';
    } else if (local === 'sheet') {
      let rid = '';
      for (const k in a) if (k.endsWith(':id')) rid = a[k]!;
      listed.push({ name: a.name ?? '', state: a.state ?? 'visible', rid });
    }
  });

  const rels = await readRelationships(pkg, part);
  const sheets: SheetInfo[] = [];
  for (const s of listed) {
    const rel = rels.get(s.rid);
    if (!rel || !typeIs(rel, 'worksheet')) continue;
    const entry = findPart(pkg, rel.target);
    if (!entry) throw corrupt(`sheet "${s.name}" is missing from the zip (${rel.target})`, { sheet: s.name, part: rel.target });
    sheets.push({ name: s.name, state: s.state, entry });
  }
  const relOf = (kind: string, fallback: string): yauzl.Entry | undefined => {
    const rel = [...rels.values()].find((r) => typeIs(r, kind));
    return rel ? findPart(pkg, rel.target) : findPart(pkg, posix.join(posix.dirname(part), fallback));
  };
  return { date1904, sheets, styles: relOf('styles', 'styles.xml'), sharedStrings: relOf('sharedStrings', 'sharedStrings.xml') };
}
