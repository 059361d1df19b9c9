/**
 * What the Member reads: every validation message in English, French and Spanish. Each row message names the row,
 * the column as the Member wrote it, the value, and what would be accepted, so the file can be fixed without help.
 */
import type { Lang } from '../vocabulary/lang.ts';
import { formatName, type Said, sizeText, sourceReason } from './file-refusals.ts';
import { agree } from '../vocabulary/plural.ts';
import { type Category, PRODUCTS_BY_CATEGORY, VOCABS, type VocabName } from '../vocabulary/vocab.ts';

export type MessageId =
  | 'missing-cell'
  | 'missing-description'
  | 'missing-currency'
  | 'not-a-number'
  | 'ambiguous-number'
  | 'not-an-integer'
  | 'not-a-date'
  | 'impossible-date'
  | 'unknown-value'
  | 'product-category'
  | 'unknown-country'
  | 'unknown-countries'
  | 'unknown-member'
  | 'member-mismatch'
  | 'date-outside-phases'
  | 'date-in-future'
  | 'too-long'
  | 'control-character'
  | 'hs-code'
  | 'quantity-positive'
  | 'quantity-whole'
  | 'doses-vaccines'
  | 'vaccines-doses'
  | 'value-negative'
  | 'unknown-currency'
  | 'line-positive'
  | 'line-too-large'
  | 'duplicate-line'
  | 'extra-label'
  | 'ignored-cells'
  | 'duplicate-label'
  | 'missing-label'
  | 'source-error'
  | 'format-error'
  | 'size-error'
  | 'encoding-error'
  | 'no-rows'
  | 'nil-return'
  | 'processing-failed';

/** A param worded in each language (a field's name, a vocabulary's word, its labels): the message takes its reader's. */
export type LocalText = Readonly<Record<Lang, string>>;
/**
 * What a message is made of. Kept with each issue (ValidationIssue.params), so the portal can word the message in
 * its reader's language, whatever language the file was checked in: nothing in it is worded in one language only.
 */
export type Params = Readonly<Record<string, string | number | LocalText | VocabText | undefined>>;
/**
 * A vocabulary's labels in the reader's language: one code's, or a list's (`all` its codes, or a category's
 * products). Kept as codes, not as labels in three languages: a report can list many issues that name long lists.
 */
export type VocabText =
  | { readonly vocab: VocabName; readonly code: string }
  | { readonly vocab: VocabName; readonly list: 'all' | Category };
/** A message in one language, from its params as that language says them (Said). */
type Template = (p: Said) => string;

/** A param worded in each language: localText((lang) => label(code, lang)). */
export function localText(say: (lang: Lang) => string): LocalText {
  return { en: say('en'), fr: say('fr'), es: say('es') };
}

const said = (params: Params, lang: Lang): Said => {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = typeof v !== 'object' || v === null ? v : 'vocab' in v ? vocabText(v, lang) : v[lang];
  return out;
};

function vocabText(v: VocabText, lang: Lang): string {
  const vocab = VOCABS[v.vocab];
  if ('code' in v) return vocab.label(v.code, lang);
  return (v.list === 'all' ? vocab.codes : PRODUCTS_BY_CATEGORY[v.list]).map((k) => vocab.label(k, lang)).join(', ');
}

const q = (v: unknown) => `'${String(v ?? '')}'`;
/** Whether a list of bad values (joined with spaces) names more than one. */
const several = (v: unknown): boolean => String(v ?? '').includes(' ');
/** Whether the message's `count` takes the singular in the language. */
const one = (p: Said, lang: Lang): boolean => agree(Number(p.count), lang, true, false);
const at = {
  en: (p: Said) => `in column ${q(p.column)}, row ${p.row}`,
  fr: (p: Said) => `dans la colonne ${q(p.column)}, ligne ${p.row}`,
  es: (p: Said) => `en la columna ${q(p.column)}, fila ${p.row}`,
};
const suggestion = {
  en: (p: Said) => (p.suggestion ? ` Did you mean ${q(p.suggestion)}?` : ''),
  fr: (p: Said) => (p.suggestion ? ` Vouliez-vous dire ${q(p.suggestion)} ?` : ''),
  es: (p: Said) => (p.suggestion ? ` ¿Quiso decir ${q(p.suggestion)}?` : ''),
};

const DATE_FORMS = {
  en: 'a date cell, YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY or DD-MM-YYYY',
  fr: 'une cellule de date, AAAA-MM-JJ, JJ/MM/AAAA, JJ.MM.AAAA ou JJ-MM-AAAA',
  es: 'una celda de fecha, AAAA-MM-DD, DD/MM/AAAA, DD.MM.AAAA o DD-MM-AAAA',
};

const M: Record<MessageId, Record<Lang, Template>> = {
  'missing-cell': {
    en: (p) => `Missing value ${at.en(p)}: this column is required. ${p.rule ?? ''}`.trim(),
    fr: (p) => `Valeur manquante ${at.fr(p)} : cette colonne est obligatoire. ${p.rule ?? ''}`.trim(),
    es: (p) => `Falta el valor ${at.es(p)}: esta columna es obligatoria. ${p.rule ?? ''}`.trim(),
  },
  'missing-description': {
    en: (p) => `Missing goods description ${at.en(p)}: it is required when the product is ${q(p.product)}.`,
    fr: (p) => `Description des marchandises manquante ${at.fr(p)} : elle est obligatoire quand le produit est ${q(p.product)}.`,
    es: (p) => `Falta la descripción de la mercancía ${at.es(p)}: es obligatoria cuando el producto es ${q(p.product)}.`,
  },
  'missing-currency': {
    en: (p) =>
      `Missing currency ${at.en(p)}: it is required when an estimated value (${p.value}) is given. Use an ISO 4217 code such as EUR or USD.`,
    fr: (p) =>
      `Devise manquante ${at.fr(p)} : elle est obligatoire quand une valeur estimée (${p.value}) est indiquée. Utilisez un code ISO 4217 comme EUR ou USD.`,
    es: (p) =>
      `Falta la moneda ${at.es(p)}: es obligatoria cuando se indica un valor estimado (${p.value}). Use un código ISO 4217 como EUR o USD.`,
  },
  'not-a-number': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not a number: write digits, e.g. 1200, 1 200 or 809,5.`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas un nombre : écrivez des chiffres, par ex. 1200, 1 200 ou 809,5.`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es un número: escriba cifras, p. ej. 1200, 1 200 o 809,5.`,
  },
  'ambiguous-number': {
    en: (p) =>
      `${q(p.value)} ${at.en(p)} is ambiguous: it could be ${p.a} or ${p.b}. Write it without a thousands separator (${p.a}), or with more or fewer decimals.`,
    fr: (p) =>
      `${q(p.value)} ${at.fr(p)} est ambigu : ce peut être ${p.a} ou ${p.b}. Écrivez-le sans séparateur de milliers (${p.a}), ou avec plus ou moins de décimales.`,
    es: (p) =>
      `${q(p.value)} ${at.es(p)} es ambiguo: puede ser ${p.a} o ${p.b}. Escríbalo sin separador de miles (${p.a}), o con más o menos decimales.`,
  },
  'not-an-integer': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not a whole number of 1 or more.`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas un nombre entier supérieur ou égal à 1.`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es un número entero mayor o igual que 1.`,
  },
  'not-a-date': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not a date: use ${DATE_FORMS.en} (day first).`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas une date : utilisez ${DATE_FORMS.fr} (le jour d'abord).`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es una fecha: use ${DATE_FORMS.es} (el día primero).`,
  },
  'impossible-date': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not a real date (that day does not exist in that month). Use ${DATE_FORMS.en}.`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas une date réelle (ce jour n'existe pas dans ce mois). Utilisez ${DATE_FORMS.fr}.`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es una fecha real (ese día no existe en ese mes). Use ${DATE_FORMS.es}.`,
  },
  'unknown-value': {
    en: (p) => `Unknown ${p.what} ${q(p.value)} ${at.en(p)}: use one of ${p.accepted}.${suggestion.en(p)}`,
    fr: (p) =>
      `${q(p.value)} ${at.fr(p)} n'est pas une valeur connue de « ${p.what} » : utilisez l'une des valeurs ${p.accepted}.${suggestion.fr(p)}`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es un valor conocido de «${p.what}»: use uno de ${p.accepted}.${suggestion.es(p)}`,
  },
  'product-category': {
    en: (p) =>
      `Product ${q(p.value)} ${at.en(p)} does not belong to the category ${q(p.category)}: for that category use one of ${p.accepted}, or change the category.`,
    fr: (p) =>
      `Le produit ${q(p.value)} ${at.fr(p)} n'appartient pas à la catégorie ${q(p.category)} : pour cette catégorie, utilisez ${p.accepted}, ou changez la catégorie.`,
    es: (p) =>
      `El producto ${q(p.value)} ${at.es(p)} no pertenece a la categoría ${q(p.category)}: para esa categoría use ${p.accepted}, o cambie la categoría.`,
  },
  'unknown-country': {
    en: (p) =>
      `${q(p.value)} ${at.en(p)} is not an ISO 3166 country code: write a 2- or 3-letter code such as FR or FRA${p.allowUnknown ? ', or XX if unknown' : ''}.`,
    fr: (p) =>
      `${q(p.value)} ${at.fr(p)} n'est pas un code pays ISO 3166 : écrivez un code à 2 ou 3 lettres comme FR ou FRA${p.allowUnknown ? ', ou XX si inconnu' : ''}.`,
    es: (p) =>
      `${q(p.value)} ${at.es(p)} no es un código de país ISO 3166: escriba un código de 2 o 3 letras como ES o ESP${p.allowUnknown ? ', o XX si se desconoce' : ''}.`,
  },
  'unknown-countries': {
    en: (p) =>
      `${q(p.bad)} ${at.en(p)} ${several(p.bad) ? 'are not ISO country codes' : 'is not an ISO country code'}: list 2- or 3-letter codes separated by ; , / or spaces.`,
    fr: (p) =>
      `${q(p.bad)} ${at.fr(p)} : ${several(p.bad) ? 'codes pays ISO inconnus' : 'code pays ISO inconnu'} ; listez des codes à 2 ou 3 lettres séparés par ; , / ou des espaces.`,
    es: (p) =>
      `${q(p.bad)} ${at.es(p)}: ${several(p.bad) ? 'códigos de país ISO desconocidos' : 'código de país ISO desconocido'}; enumere códigos de 2 o 3 letras separados por ; , / o espacios.`,
  },
  'unknown-member': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not a Member taking part in ${p.operation}.`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas un Membre participant à ${p.operation}.`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es un Miembro participante en ${p.operation}.`,
  },
  'member-mismatch': {
    en: (p) =>
      `Reporting Member ${q(p.value)} ${at.en(p)} is not the Member uploading this file (${p.member}): report only your own seizures, with ${p.member} in this column.`,
    fr: (p) =>
      `Le Membre déclarant ${q(p.value)} ${at.fr(p)} n'est pas le Membre qui envoie ce fichier (${p.member}) : déclarez uniquement vos propres saisies, avec ${p.member} dans cette colonne.`,
    es: (p) =>
      `El Miembro declarante ${q(p.value)} ${at.es(p)} no es el Miembro que envía este archivo (${p.member}): declare solo sus propias incautaciones, con ${p.member} en esta columna.`,
  },
  'date-outside-phases': {
    en: (p) => `Seizure date ${p.date} ${at.en(p)} is outside the operation's phases (${p.phases}).`,
    fr: (p) => `La date de saisie ${p.date} ${at.fr(p)} est hors des phases de l'opération (${p.phases}).`,
    es: (p) => `La fecha de incautación ${p.date} ${at.es(p)} está fuera de las fases de la operación (${p.phases}).`,
  },
  'date-in-future': {
    en: (p) => `Seizure date ${p.date} ${at.en(p)} is after today (${p.today}).`,
    fr: (p) => `La date de saisie ${p.date} ${at.fr(p)} est postérieure à aujourd'hui (${p.today}).`,
    es: (p) => `La fecha de incautación ${p.date} ${at.es(p)} es posterior a hoy (${p.today}).`,
  },
  'too-long': {
    en: (p) => `Text ${at.en(p)} has ${p.length} characters; at most ${p.max} are accepted.`,
    fr: (p) => `Le texte ${at.fr(p)} compte ${p.length} caractères ; ${p.max} au plus sont acceptés.`,
    es: (p) => `El texto ${at.es(p)} tiene ${p.length} caracteres; se aceptan como máximo ${p.max}.`,
  },
  // char: the code point (U+001B); position: where it is in the cell, from 1.
  'control-character': {
    en: (p) =>
      `The text ${at.en(p)} holds an invisible control character at position ${p.position} (${p.char}): retype the text, or paste it as plain text, and upload the file again.`,
    fr: (p) =>
      `Le texte ${at.fr(p)} contient un caractère de contrôle invisible en position ${p.position} (${p.char}) : retapez le texte, ou collez-le en texte brut, et renvoyez le fichier.`,
    es: (p) =>
      `El texto ${at.es(p)} contiene un carácter de control invisible en la posición ${p.position} (${p.char}): vuelva a escribir el texto, o péguelo como texto sin formato, y vuelva a enviar el archivo.`,
  },
  'hs-code': {
    en: (p) =>
      `HS code ${q(p.value)} ${at.en(p)} must have 6 to 10 digits (dots and spaces allowed)${p.numeric ? '; the cell is a number, so leading zeros are lost: format it as text' : ''}.`,
    fr: (p) =>
      `Le code SH ${q(p.value)} ${at.fr(p)} doit compter 6 à 10 chiffres (points et espaces admis)${p.numeric ? ' ; la cellule est un nombre, les zéros initiaux sont perdus : mettez-la au format texte' : ''}.`,
    es: (p) =>
      `El código SA ${q(p.value)} ${at.es(p)} debe tener de 6 a 10 dígitos (se admiten puntos y espacios)${p.numeric ? '; la celda es un número y se pierden los ceros iniciales: déle formato de texto' : ''}.`,
  },
  'quantity-positive': {
    en: (p) => `Quantity ${q(p.value)} ${at.en(p)} must be greater than 0.`,
    fr: (p) => `La quantité ${q(p.value)} ${at.fr(p)} doit être supérieure à 0.`,
    es: (p) => `La cantidad ${q(p.value)} ${at.es(p)} debe ser mayor que 0.`,
  },
  'quantity-whole': {
    en: (p) => `Quantity ${q(p.value)} ${at.en(p)} must be a whole number when the unit is ${p.unit}.`,
    fr: (p) => `La quantité ${q(p.value)} ${at.fr(p)} doit être un nombre entier quand l'unité est ${p.unit}.`,
    es: (p) => `La cantidad ${q(p.value)} ${at.es(p)} debe ser un número entero cuando la unidad es ${p.unit}.`,
  },
  'doses-vaccines': {
    en: (p) => `Unit ${q(p.value)} ${at.en(p)}: doses are only for vaccines; for ${p.product} use pieces, packs, kg or litres.`,
    fr: (p) =>
      `Unité ${q(p.value)} ${at.fr(p)} : les doses sont réservées aux vaccins ; pour ${p.product}, utilisez pièces, paquets, kg ou litres.`,
    es: (p) => `Unidad ${q(p.value)} ${at.es(p)}: las dosis son solo para vacunas; para ${p.product} use piezas, paquetes, kg o litros.`,
  },
  'vaccines-doses': {
    en: (p) => `Unit ${q(p.value)} ${at.en(p)}: vaccines are counted in doses only.`,
    fr: (p) => `Unité ${q(p.value)} ${at.fr(p)} : les vaccins se comptent uniquement en doses.`,
    es: (p) => `Unidad ${q(p.value)} ${at.es(p)}: las vacunas se cuentan solo en dosis.`,
  },
  'value-negative': {
    en: (p) => `Estimated value ${q(p.value)} ${at.en(p)} must be 0 or more.`,
    fr: (p) => `La valeur estimée ${q(p.value)} ${at.fr(p)} doit être positive ou nulle.`,
    es: (p) => `El valor estimado ${q(p.value)} ${at.es(p)} debe ser 0 o más.`,
  },
  'unknown-currency': {
    en: (p) => `${q(p.value)} ${at.en(p)} is not an ISO 4217 currency code: use a code such as EUR, USD or XOF.`,
    fr: (p) => `${q(p.value)} ${at.fr(p)} n'est pas un code de devise ISO 4217 : utilisez un code comme EUR, USD ou XOF.`,
    es: (p) => `${q(p.value)} ${at.es(p)} no es un código de moneda ISO 4217: use un código como EUR, USD o MXN.`,
  },
  'line-positive': {
    en: (p) => `Line ${q(p.value)} ${at.en(p)} must be a whole number of 1 or more.`,
    fr: (p) => `La ligne ${q(p.value)} ${at.fr(p)} doit être un nombre entier supérieur ou égal à 1.`,
    es: (p) => `La línea ${q(p.value)} ${at.es(p)} debe ser un número entero mayor o igual que 1.`,
  },
  'line-too-large': {
    en: (p) => `Line ${q(p.value)} ${at.en(p)} is too large: line numbers go from 1 to ${p.max}.`,
    fr: (p) => `La ligne ${q(p.value)} ${at.fr(p)} est trop grande : les numéros de ligne vont de 1 à ${p.max}.`,
    es: (p) => `La línea ${q(p.value)} ${at.es(p)} es demasiado grande: los números de línea van de 1 a ${p.max}.`,
  },
  'duplicate-line': {
    en: (p) =>
      `Row ${p.row} repeats case ${q(p.caseRef)} line ${p.line} already given in row ${p.firstRow}: give each line of a case its own line number, or remove the repeated row.`,
    fr: (p) =>
      `La ligne ${p.row} répète le cas ${q(p.caseRef)} ligne ${p.line} déjà donné à la ligne ${p.firstRow} : donnez à chaque ligne d'un cas son propre numéro, ou supprimez la ligne répétée.`,
    es: (p) =>
      `La fila ${p.row} repite el caso ${q(p.caseRef)} línea ${p.line} ya indicado en la fila ${p.firstRow}: dé a cada línea de un caso su propio número, o elimine la fila repetida.`,
  },
  'extra-label': {
    en: (p) => `Column ${q(p.column)} (${p.letter}) is not one of the template's columns and was ignored.`,
    fr: (p) => `La colonne ${q(p.column)} (${p.letter}) ne fait pas partie du modèle et a été ignorée.`,
    es: (p) => `La columna ${q(p.column)} (${p.letter}) no forma parte de la plantilla y se ha ignorado.`,
  },
  'ignored-cells': {
    en: (p) =>
      one(p, 'en')
        ? `${p.count} cell from column ${p.letter} onwards was ignored: it lies beyond the columns of the header row. If it holds seizure data, move it under the template's columns.`
        : `${p.count} cells from column ${p.letter} onwards were ignored: they lie beyond the columns of the header row. If they hold seizure data, move them under the template's columns.`,
    fr: (p) =>
      one(p, 'fr')
        ? `${p.count} cellule à partir de la colonne ${p.letter} a été ignorée : elle est au-delà des colonnes de la ligne d'en-tête. Si elle contient des saisies, placez-la sous les colonnes du modèle.`
        : `${p.count} cellules à partir de la colonne ${p.letter} ont été ignorées : elles sont au-delà des colonnes de la ligne d'en-tête. Si elles contiennent des saisies, placez-les sous les colonnes du modèle.`,
    es: (p) =>
      one(p, 'es')
        ? `Se ha ignorado ${p.count} celda a partir de la columna ${p.letter}: está más allá de las columnas de la fila de encabezado. Si contiene incautaciones, colóquela bajo las columnas de la plantilla.`
        : `Se han ignorado ${p.count} celdas a partir de la columna ${p.letter}: están más allá de las columnas de la fila de encabezado. Si contienen incautaciones, colóquelas bajo las columnas de la plantilla.`,
  },
  'duplicate-label': {
    en: (p) => `Columns ${p.columns} all mean ${q(p.field)}: keep only one of them.`,
    fr: (p) => `Les colonnes ${p.columns} désignent toutes ${q(p.field)} : n'en gardez qu'une.`,
    es: (p) => `Las columnas ${p.columns} significan todas ${q(p.field)}: conserve solo una.`,
  },
  'missing-label': {
    en: (p) =>
      `No sheet has a header row with the required columns (looked in the first 20 rows of every sheet). Missing: ${p.missing}. Start from the template, or name the columns as in it.`,
    fr: (p) =>
      `Aucune feuille n'a de ligne d'en-tête avec les colonnes obligatoires (recherchée dans les 20 premières lignes de chaque feuille). Manquantes : ${p.missing}. Partez du modèle, ou nommez les colonnes comme dans celui-ci.`,
    es: (p) =>
      `Ninguna hoja tiene una fila de encabezado con las columnas obligatorias (buscada en las 20 primeras filas de cada hoja). Faltan: ${p.missing}. Parta de la plantilla, o nombre las columnas como en ella.`,
  },
  'source-error': {
    en: (p) =>
      p.reason === 'row-twice'
        ? `The file cannot be read reliably: row ${p.row} appears twice in the file (the program that wrote it is faulty), so the file is refused. Copy the data sheet into a new workbook, save it and upload that.`
        : `The file cannot be read: ${sourceReason(p, 'en')}. Save it again as .xlsx (Excel workbook) or .csv (UTF-8) and upload it again.`,
    fr: (p) =>
      p.reason === 'row-twice'
        ? `Le fichier ne peut pas être lu de façon fiable : la ligne ${p.row} figure deux fois dans le fichier (le programme qui l'a écrit est défectueux), il est donc refusé. Copiez la feuille de données dans un nouveau classeur, enregistrez-le et envoyez celui-ci.`
        : `Le fichier ne peut pas être lu : ${sourceReason(p, 'fr')}. Enregistrez-le de nouveau au format .xlsx (classeur Excel) ou .csv (UTF-8) et renvoyez-le.`,
    es: (p) =>
      p.reason === 'row-twice'
        ? `El archivo no se puede leer de forma fiable: la fila ${p.row} aparece dos veces en el archivo (el programa que lo escribió es defectuoso), por lo que se rechaza. Copie la hoja de datos en un libro nuevo, guárdelo y envíe ese.`
        : `El archivo no se puede leer: ${sourceReason(p, 'es')}. Guárdelo de nuevo como .xlsx (libro de Excel) o .csv (UTF-8) y vuelva a enviarlo.`,
  },
  'format-error': {
    en: (p) =>
      p.reason === 'csv-unclosed-quote'
        ? `A quote (") opened on line ${p.line} is never closed, so the rest of the file cannot be read. Close the quote or remove it, and upload the file again.`
        : `This file is ${formatName(p, 'en')}, which is not accepted. Save it as .xlsx (Excel workbook, without macros) or .csv (UTF-8) and upload it again.`,
    fr: (p) =>
      p.reason === 'csv-unclosed-quote'
        ? `Un guillemet (") ouvert à la ligne ${p.line} n'est jamais fermé : la suite du fichier ne peut pas être lue. Fermez-le ou supprimez-le, et renvoyez le fichier.`
        : `Ce fichier est ${formatName(p, 'fr')}, format non accepté. Enregistrez-le au format .xlsx (classeur Excel, sans macros) ou .csv (UTF-8) et renvoyez-le.`,
    es: (p) =>
      p.reason === 'csv-unclosed-quote'
        ? `Unas comillas (") abiertas en la línea ${p.line} nunca se cierran: el resto del archivo no se puede leer. Ciérrelas o elimínelas, y vuelva a enviar el archivo.`
        : `Este archivo es ${formatName(p, 'es')}, formato no aceptado. Guárdelo como .xlsx (libro de Excel, sin macros) o .csv (UTF-8) y vuelva a enviarlo.`,
  },
  'size-error': {
    en: (p) => sizeText(p, 'en'),
    fr: (p) => sizeText(p, 'fr'),
    es: (p) => sizeText(p, 'es'),
  },
  'encoding-error': {
    en: (p) =>
      `The text of the file is not in a readable encoding${p.line ? ` (line ${p.line})` : ''}${p.reason === 'utf16-without-bom' ? ' (UTF-16 without a byte order mark)' : ''}. Save the CSV as "CSV UTF-8" and upload it again.`,
    fr: (p) =>
      `Le texte du fichier n'est pas dans un encodage lisible${p.line ? ` (ligne ${p.line})` : ''}. Enregistrez le CSV au format « CSV UTF-8 » et renvoyez-le.`,
    es: (p) =>
      `El texto del archivo no está en una codificación legible${p.line ? ` (línea ${p.line})` : ''}. Guarde el CSV como «CSV UTF-8» y vuelva a enviarlo.`,
  },
  // reason 'busy': our system had no time for the file (other uploads, or the time a run has); the file may be fine.
  'processing-failed': {
    en: (p) =>
      p.reason === 'stored'
        ? 'Your lines were stored, but the feedback on your file could not be completed because of a fault in our system, not in your file. The analysts have been told; you do not need to upload the file again.'
        : p.reason === 'busy'
          ? 'Your file could not be stored because our system was too busy, not because of your file: nothing from this upload was stored. The analysts have been told. Please upload the file again later.'
          : 'Your file could not be stored because of a fault in our system, not in your file: nothing from this upload was stored. The analysts have been told and will put it right; you do not need to upload the file again unless they ask you to.',
    fr: (p) =>
      p.reason === 'stored'
        ? "Vos lignes ont été enregistrées, mais le retour sur votre fichier n'a pas pu être terminé à cause d'une panne de notre système, pas de votre fichier. Les analystes ont été prévenus ; inutile de renvoyer le fichier."
        : p.reason === 'busy'
          ? "Votre fichier n'a pas pu être enregistré parce que notre système était trop chargé, pas à cause de votre fichier : rien de cet envoi n'a été enregistré. Les analystes ont été prévenus. Veuillez renvoyer le fichier plus tard."
          : "Votre fichier n'a pas pu être enregistré à cause d'une panne de notre système, pas de votre fichier : rien de cet envoi n'a été enregistré. Les analystes ont été prévenus et vont corriger le problème ; inutile de renvoyer le fichier sauf s'ils vous le demandent.",
    es: (p) =>
      p.reason === 'stored'
        ? 'Sus líneas se han guardado, pero la respuesta sobre su archivo no se ha podido completar por un fallo de nuestro sistema, no de su archivo. Los analistas han sido avisados; no hace falta que vuelva a enviar el archivo.'
        : p.reason === 'busy'
          ? 'Su archivo no se ha podido guardar porque nuestro sistema estaba demasiado ocupado, no por su archivo: no se ha guardado nada de este envío. Los analistas han sido avisados. Vuelva a enviar el archivo más tarde.'
          : 'Su archivo no se ha podido guardar por un fallo de nuestro sistema, no de su archivo: no se ha guardado nada de este envío. Los analistas han sido avisados y lo resolverán; no hace falta que vuelva a enviar el archivo salvo que se lo pidan.',
  },
  // kept: 'yes' when an earlier version of the same file had stored cases (an empty file withdraws nothing).
  'nil-return': {
    en: (p) =>
      p.created === 'refused'
        ? `This empty file was not recorded as "nothing to report" for phase ${p.phase}: seizures of yours are already stored for this phase, and an empty file withdraws nothing. If they should be withdrawn, tell the analysts.`
        : (p.created === 'no'
            ? `Nothing to report this phase (phase ${p.phase}): your nil return for this phase was already recorded.`
            : `Nothing to report this phase (phase ${p.phase}): recorded as your nil return for this phase.`) +
          (p.kept === 'yes'
            ? ' The cases an earlier version of this file sent stay stored: an empty file withdraws nothing. If they should be withdrawn, tell the analysts.'
            : ''),
    fr: (p) =>
      p.created === 'refused'
        ? `Ce fichier vide n'a pas été enregistré comme « rien à signaler » pour la phase ${p.phase} : des saisies de votre administration sont déjà enregistrées pour cette phase, et un fichier vide ne retire rien. S'il faut les retirer, prévenez les analystes.`
        : (p.created === 'no'
            ? `Rien à signaler pour cette phase (phase ${p.phase}) : votre déclaration néant pour cette phase était déjà enregistrée.`
            : `Rien à signaler pour cette phase (phase ${p.phase}) : enregistré comme votre déclaration néant pour cette phase.`) +
          (p.kept === 'yes'
            ? " Les affaires transmises par une version précédente de ce fichier restent enregistrées : un fichier vide ne retire rien. S'il faut les retirer, prévenez les analystes."
            : ''),
    es: (p) =>
      p.created === 'refused'
        ? `Este archivo vacío no se ha registrado como «nada que declarar» para la fase ${p.phase}: ya hay incautaciones suyas guardadas para esta fase, y un archivo vacío no retira nada. Si deben retirarse, avise a los analistas.`
        : (p.created === 'no'
            ? `Nada que declarar en esta fase (fase ${p.phase}): su declaración negativa para esta fase ya estaba registrada.`
            : `Nada que declarar en esta fase (fase ${p.phase}): registrado como su declaración negativa para esta fase.`) +
          (p.kept === 'yes'
            ? ' Los casos que envió una versión anterior de este archivo siguen guardados: un archivo vacío no retira nada. Si deben retirarse, avise a los analistas.'
            : ''),
  },
  'no-rows': {
    en: (p) => `Sheet ${q(p.sheet)} has the header row (row ${p.headerRow}) but no seizure rows below it.`,
    fr: (p) => `La feuille ${q(p.sheet)} a la ligne d'en-tête (ligne ${p.headerRow}) mais aucune saisie en dessous.`,
    es: (p) => `La hoja ${q(p.sheet)} tiene la fila de encabezado (fila ${p.headerRow}) pero ninguna incautación debajo.`,
  },
};

export function message(id: MessageId, lang: Lang, params: Params): string {
  return M[id][lang](said(params, lang));
}

/** Whether `id` names a message of the table (a report's code, read back from JSON). */
export const isMessageId = (id: unknown): id is MessageId => typeof id === 'string' && Object.hasOwn(M, id);

/** Words used inside messages: the name of a vocabulary in each language, in lower case as in running text. */
export const VOCAB_WORD: Readonly<Record<string, Record<Lang, string>>> = {
  category: { en: 'category', fr: 'catégorie', es: 'categoría' },
  product: { en: 'product', fr: 'produit', es: 'producto' },
  unit: { en: 'unit', fr: 'unité', es: 'unidad' },
  transport_mode: { en: 'mode of transport', fr: 'mode de transport', es: 'modo de transporte' },
  concealment_method: { en: 'concealment method', fr: 'méthode de dissimulation', es: 'método de ocultación' },
  detection_method: { en: 'detection method', fr: 'méthode de détection', es: 'método de detección' },
  infringement_type: { en: 'infringement type', fr: "type d'infraction", es: 'tipo de infracción' },
  location_type: { en: 'location type', fr: 'type de lieu', es: 'tipo de lugar' },
  direction: { en: 'direction', fr: 'direction', es: 'dirección' },
};
