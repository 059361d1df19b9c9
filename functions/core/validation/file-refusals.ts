/**
 * Why a whole file is refused, in English, French and Spanish: the reason clauses of the `source-error` and
 * `format-error` messages and the `size-error` message (messages.ts), from the error's params (`reason`, `row`,
 * `max`, `size`...). Apart from messages.ts so that it stays within the module size limit.
 */
import type { Lang } from '../vocabulary/lang.ts';

/** A message's params as one language says them. */
export type Said = Readonly<Record<string, string | number | undefined>>;

export function sourceReason(p: Said, lang: Lang): string {
  const r = String(p.reason ?? '');
  const t: Record<string, Record<Lang, string>> = {
    empty: { en: 'it is empty', fr: 'il est vide', es: 'está vacío' },
    encrypted: {
      en: 'it is protected by a password; remove the password',
      fr: 'il est protégé par un mot de passe ; retirez le mot de passe',
      es: 'está protegido con contraseña; quite la contraseña',
    },
    corrupt: { en: 'it is damaged or incomplete', fr: 'il est endommagé ou incomplet', es: 'está dañado o incompleto' },
    'name-too-long': {
      en: `its name (with its folders) is too long; use a name of at most ${p.max} bytes (a letter with an accent takes 2, a character of a non-Latin script 2 to 4)`,
      fr: `son nom (avec ses dossiers) est trop long ; utilisez un nom de ${p.max} octets au plus (une lettre accentuée en occupe 2, un caractère d'une écriture non latine 2 à 4)`,
      es: `su nombre (con sus carpetas) es demasiado largo; use un nombre de ${p.max} bytes como máximo (una letra con tilde ocupa 2, un carácter de una escritura no latina de 2 a 4)`,
    },
  };
  return (t[r] ?? t.corrupt!)[lang];
}

export function formatName(p: Said, lang: Lang): string {
  const d = String(p.detected ?? p.reason ?? 'unsupported');
  const ext = p.extension ? ` (.${String(p.extension).replace(/^\./, '')})` : '';
  const names: Record<string, Record<Lang, string>> = {
    xls: {
      en: 'an old Excel 97-2003 workbook (.xls)',
      fr: 'un ancien classeur Excel 97-2003 (.xls)',
      es: 'un libro antiguo de Excel 97-2003 (.xls)',
    },
    xlsm: { en: 'a workbook with macros (.xlsm)', fr: 'un classeur avec macros (.xlsm)', es: 'un libro con macros (.xlsm)' },
    xlsb: { en: 'a binary Excel workbook (.xlsb)', fr: 'un classeur Excel binaire (.xlsb)', es: 'un libro binario de Excel (.xlsb)' },
    ods: { en: 'an OpenDocument spreadsheet (.ods)', fr: 'un classeur OpenDocument (.ods)', es: 'una hoja de cálculo OpenDocument (.ods)' },
    pdf: { en: 'a PDF document', fr: 'un document PDF', es: 'un documento PDF' },
    zip: { en: 'a zip archive', fr: 'une archive zip', es: 'un archivo zip' },
    html: { en: `a web page${ext}`, fr: `une page web${ext}`, es: `una página web${ext}` },
    csv: {
      en: `a text (CSV) file named${ext}: rename it .csv`,
      fr: `un fichier texte (CSV) nommé${ext} : renommez-le en .csv`,
      es: `un archivo de texto (CSV) llamado${ext}: cámbiele el nombre a .csv`,
    },
    docx: { en: 'a Word document', fr: 'un document Word', es: 'un documento de Word' },
    doc: { en: 'a Word document', fr: 'un document Word', es: 'un documento de Word' },
  };
  return (
    names[d]?.[lang] ??
    {
      en: `of a kind that is not a spreadsheet${ext}`,
      fr: `d'un type qui n'est pas un tableur${ext}`,
      es: `de un tipo que no es una hoja de cálculo${ext}`,
    }[lang]
  );
}

export function sizeText(p: Said, lang: Lang): string {
  const r = String(p.reason ?? '');
  const mb = (n: unknown) => (Number(n) / 1024 / 1024).toFixed(1);
  if (r === 'too-many-rows') {
    return {
      en: `The sheet has more than ${p.max} seizure rows. Split it into several files of at most ${p.max} rows.`,
      fr: `La feuille compte plus de ${p.max} lignes de saisies. Répartissez-les en plusieurs fichiers de ${p.max} lignes au plus.`,
      es: `La hoja tiene más de ${p.max} filas de incautaciones. Divídala en varios archivos de ${p.max} filas como máximo.`,
    }[lang];
  }
  if (r === 'too-large') {
    return {
      en: `The file is ${mb(p.size)} MB; at most ${mb(p.max)} MB is accepted. Split it into several files.`,
      fr: `Le fichier fait ${mb(p.size)} Mo ; ${mb(p.max)} Mo au plus sont acceptés. Répartissez-le en plusieurs fichiers.`,
      es: `El archivo ocupa ${mb(p.size)} MB; se aceptan como máximo ${mb(p.max)} MB. Divídalo en varios archivos.`,
    }[lang];
  }
  if (r === 'shared-strings') {
    return {
      en: `The workbook holds more text than a seizure report needs (over ${p.maxStrings} distinct texts), often texts no cell uses any more. Copy the data sheet into a new workbook (or start from the template), save it and upload it again.`,
      fr: `Le classeur contient plus de texte qu'un rapport de saisies n'en demande (plus de ${p.maxStrings} textes distincts), souvent des textes qu'aucune cellule n'utilise plus. Copiez la feuille de données dans un nouveau classeur (ou partez du modèle), enregistrez-le et renvoyez-le.`,
      es: `El libro contiene más texto del que necesita un informe de incautaciones (más de ${p.maxStrings} textos distintos), a menudo textos que ya no usa ninguna celda. Copie la hoja de datos en un libro nuevo (o parta de la plantilla), guárdelo y vuelva a enviarlo.`,
    }[lang];
  }
  if (r === 'row-beyond') {
    return {
      en: `The sheet has a row numbered ${p.row}, past row ${p.max}, the last row a worksheet can have: the program that wrote the file is faulty. Copy the data sheet into a new workbook, save it and upload it again.`,
      fr: `La feuille a une ligne numérotée ${p.row}, au-delà de la ligne ${p.max}, la dernière qu'une feuille de calcul peut avoir : le programme qui a écrit le fichier est défectueux. Copiez la feuille de données dans un nouveau classeur, enregistrez-le et renvoyez-le.`,
      es: `La hoja tiene una fila numerada ${p.row}, más allá de la fila ${p.max}, la última que puede tener una hoja de cálculo: el programa que escribió el archivo es defectuoso. Copie la hoja de datos en un libro nuevo, guárdelo y vuelva a enviarlo.`,
    }[lang];
  }
  if (r === 'over-budget') {
    return {
      en: `The file takes more work to check than one upload may (stopped after row ${p.row}). Split it into several smaller files, or copy the data sheet into a new workbook, and upload again.`,
      fr: `Le fichier demande plus de travail de vérification qu'un envoi ne le permet (arrêt après la ligne ${p.row}). Répartissez-le en plusieurs fichiers plus petits, ou copiez la feuille de données dans un nouveau classeur, et renvoyez-le.`,
      es: `El archivo requiere más trabajo de comprobación del que permite un envío (detenido tras la fila ${p.row}). Divídalo en varios archivos más pequeños, o copie la hoja de datos en un libro nuevo, y vuelva a enviarlo.`,
    }[lang];
  }
  return {
    en: 'The file expands to far more data than a seizure report holds and was not read. Save it again from your spreadsheet program.',
    fr: 'Le fichier se décompresse en bien plus de données qu’un rapport de saisies n’en contient et n’a pas été lu. Enregistrez-le de nouveau depuis votre tableur.',
    es: 'El archivo se descomprime en muchos más datos de los que contiene un informe de incautaciones y no se ha leído. Guárdelo de nuevo desde su hoja de cálculo.',
  }[lang];
}
