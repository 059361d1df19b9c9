/**
 * The seizure record's columns: canonical keys, whether each is required, and the header labels Members write in
 * English, French and Spanish. A header cell matches a key when, folded (case, accents, spaces, punctuation), it
 * equals the key or one of its labels.
 */
import type { Lang } from './lang.ts';
import type { VocabName } from './vocab.ts';

export type FieldKey =
  | 'reporting_member'
  | 'case_ref'
  | 'line_no'
  | 'seizure_date'
  | 'location'
  | 'location_type'
  | 'direction'
  | 'category'
  | 'product'
  | 'description'
  | 'brand'
  | 'hs_code'
  | 'quantity'
  | 'unit'
  | 'estimated_value'
  | 'currency'
  | 'origin_country'
  | 'departure_country'
  | 'destination_country'
  | 'transit_countries'
  | 'transport_mode'
  | 'concealment_method'
  | 'detection_method'
  | 'infringement_type'
  | 'remarks';

export type FieldKind = 'member' | 'text' | 'integer' | 'date' | 'vocab' | 'number' | 'hs' | 'currency' | 'country' | 'countries';

export interface FieldDef {
  readonly key: FieldKey;
  /** The column must be present in the header and the cell filled. */
  readonly required: boolean;
  readonly kind: FieldKind;
  readonly vocab?: VocabName;
  readonly maxLength?: number;
  /** Header labels per language (the first is the one the template writes). */
  readonly labels: Readonly<Record<Lang, string>>;
  /** Other spellings accepted in headers. */
  readonly aliases?: readonly string[];
  /** Column width in the template, in characters. */
  readonly width: number;
  /** A short rule shown as the header note in the template and in messages. */
  readonly rule: Readonly<Record<Lang, string>>;
}

const f = (
  key: FieldKey,
  required: boolean,
  kind: FieldKind,
  labels: [string, string, string],
  rule: [string, string, string],
  extra: Partial<Pick<FieldDef, 'vocab' | 'maxLength' | 'aliases' | 'width'>> = {},
): FieldDef => ({
  key,
  required,
  kind,
  labels: { en: labels[0], fr: labels[1], es: labels[2] },
  rule: { en: rule[0], fr: rule[1], es: rule[2] },
  width: extra.width ?? Math.max(12, Math.min(28, labels[0].length + 4)),
  ...extra,
});

export const FIELDS: readonly FieldDef[] = [
  f(
    'reporting_member',
    true,
    'member',
    ['Reporting Member', 'Membre déclarant', 'Miembro declarante'],
    [
      'ISO country code of your administration (e.g. FR or FRA).',
      'Code pays ISO de votre administration (ex. FR ou FRA).',
      'Código ISO del país de su administración (p. ej. ES o ESP).',
    ],
    { width: 18 },
  ),
  f(
    'case_ref',
    true,
    'text',
    ['Case reference', 'Référence du cas', 'Referencia del caso'],
    [
      'Your reference for the case, 1 to 35 characters. Several lines may share one case.',
      'Votre référence du cas, 1 à 35 caractères. Plusieurs lignes peuvent appartenir au même cas.',
      'Su referencia del caso, de 1 a 35 caracteres. Varias líneas pueden pertenecer al mismo caso.',
    ],
    { maxLength: 35, width: 20 },
  ),
  f(
    'line_no',
    false,
    'integer',
    ['Line', 'Ligne', 'Línea'],
    [
      'Line number within the case (1, 2, 3...). Leave empty to number lines in order.',
      'Numéro de ligne dans le cas (1, 2, 3...). Laissez vide pour numéroter dans l’ordre.',
      'Número de línea dentro del caso (1, 2, 3...). Déjelo vacío para numerar en orden.',
    ],
    { width: 8 },
  ),
  f(
    'seizure_date',
    true,
    'date',
    ['Seizure date', 'Date de saisie', 'Fecha de incautación'],
    [
      'Date of the seizure, within the operation (YYYY-MM-DD or DD/MM/YYYY).',
      'Date de la saisie, pendant l’opération (AAAA-MM-JJ ou JJ/MM/AAAA).',
      'Fecha de la incautación, durante la operación (AAAA-MM-DD o DD/MM/AAAA).',
    ],
    { width: 14 },
  ),
  f(
    'location',
    false,
    'text',
    ['Location', 'Lieu', 'Lugar'],
    [
      'Customs office, port or airport (a UN/LOCODE such as FRCDG is welcome).',
      'Bureau de douane, port ou aéroport (un UN/LOCODE comme FRCDG est bienvenu).',
      'Aduana, puerto o aeropuerto (se acepta un UN/LOCODE como ESMAD).',
    ],
    { maxLength: 200, width: 20 },
  ),
  f(
    'location_type',
    false,
    'vocab',
    ['Location type', 'Type de lieu', 'Tipo de lugar'],
    ['Choose from the list.', 'Choisissez dans la liste.', 'Elija de la lista.'],
    { vocab: 'location_type' },
  ),
  f(
    'direction',
    false,
    'vocab',
    ['Direction', 'Direction', 'Dirección'],
    ['Import, export or transit.', 'Importation, exportation ou transit.', 'Importación, exportación o tránsito.'],
    { vocab: 'direction' },
  ),
  f(
    'category',
    true,
    'vocab',
    ['Category', 'Catégorie', 'Categoría'],
    [
      'Medicines, medical devices or vaccines.',
      'Médicaments, dispositifs médicaux ou vaccins.',
      'Medicamentos, dispositivos médicos o vacunas.',
    ],
    { vocab: 'category', width: 18 },
  ),
  f(
    'product',
    true,
    'vocab',
    ['Product', 'Produit', 'Producto'],
    [
      'Choose a product of the category from the list.',
      'Choisissez un produit de la catégorie dans la liste.',
      'Elija un producto de la categoría de la lista.',
    ],
    { vocab: 'product', width: 26 },
  ),
  f(
    'description',
    false,
    'text',
    ['Goods description', 'Description des marchandises', 'Descripción de la mercancía'],
    [
      'Required when the product is "Other ...": what was seized (up to 500 characters).',
      'Obligatoire si le produit est « Autre ... » : ce qui a été saisi (500 caractères au plus).',
      'Obligatoria si el producto es «Otro ...»: qué se incautó (hasta 500 caracteres).',
    ],
    { maxLength: 500, width: 30 },
  ),
  f(
    'brand',
    false,
    'text',
    ['Brand', 'Marque', 'Marca'],
    [
      'Brand shown on the goods, if any.',
      'Marque figurant sur les marchandises, le cas échéant.',
      'Marca que figura en la mercancía, si la hay.',
    ],
    { maxLength: 200 },
  ),
  f(
    'hs_code',
    false,
    'hs',
    ['HS code', 'Code SH', 'Código SA'],
    [
      '6 to 10 digits (dots and spaces allowed). Write it as text to keep leading zeros.',
      '6 à 10 chiffres (points et espaces admis). Saisissez-le en texte pour garder les zéros initiaux.',
      'De 6 a 10 dígitos (se admiten puntos y espacios). Escríbalo como texto para conservar los ceros iniciales.',
    ],
    { width: 12 },
  ),
  f(
    'quantity',
    true,
    'number',
    ['Quantity', 'Quantité', 'Cantidad'],
    [
      'A number above 0; a whole number for pieces, doses and packs.',
      'Un nombre supérieur à 0 ; un nombre entier pour les pièces, doses et paquets.',
      'Un número mayor que 0; un número entero para piezas, dosis y paquetes.',
    ],
    { width: 14 },
  ),
  f(
    'unit',
    true,
    'vocab',
    ['Unit', 'Unité', 'Unidad'],
    [
      'Pieces, doses, packs, kg or litres. Vaccines are counted in doses, and only vaccines.',
      'Pièces, doses, paquets, kg ou litres. Les vaccins se comptent en doses, et eux seuls.',
      'Piezas, dosis, paquetes, kg o litros. Las vacunas se cuentan en dosis, y solo ellas.',
    ],
    { vocab: 'unit', width: 12 },
  ),
  f(
    'estimated_value',
    false,
    'number',
    ['Estimated value', 'Valeur estimée', 'Valor estimado'],
    [
      'A number, 0 or more; give the currency too.',
      'Un nombre, 0 ou plus ; indiquez aussi la devise.',
      'Un número, 0 o más; indique también la moneda.',
    ],
    { width: 16 },
  ),
  f(
    'currency',
    false,
    'currency',
    ['Currency', 'Devise', 'Moneda'],
    [
      'ISO 4217 code (EUR, USD...), required with an estimated value.',
      'Code ISO 4217 (EUR, USD...), obligatoire avec une valeur estimée.',
      'Código ISO 4217 (EUR, USD...), obligatorio con un valor estimado.',
    ],
    { width: 10 },
  ),
  f(
    'origin_country',
    false,
    'country',
    ['Country of origin', "Pays d'origine", 'País de origen'],
    ['ISO country code, or XX if unknown.', 'Code pays ISO, ou XX si inconnu.', 'Código ISO del país, o XX si se desconoce.'],
  ),
  f(
    'departure_country',
    false,
    'country',
    ['Country of departure', 'Pays de départ', 'País de salida'],
    ['ISO country code, or XX if unknown.', 'Code pays ISO, ou XX si inconnu.', 'Código ISO del país, o XX si se desconoce.'],
  ),
  f(
    'destination_country',
    false,
    'country',
    ['Country of destination', 'Pays de destination', 'País de destino'],
    ['ISO country code, or XX if unknown.', 'Code pays ISO, ou XX si inconnu.', 'Código ISO del país, o XX si se desconoce.'],
  ),
  f(
    'transit_countries',
    false,
    'countries',
    ['Transit countries', 'Pays de transit', 'Países de tránsito'],
    [
      'ISO country codes separated by ; , / or spaces.',
      'Codes pays ISO séparés par ; , / ou des espaces.',
      'Códigos ISO de país separados por ; , / o espacios.',
    ],
  ),
  f(
    'transport_mode',
    true,
    'vocab',
    ['Mode of transport', 'Mode de transport', 'Modo de transporte'],
    ['Choose from the list.', 'Choisissez dans la liste.', 'Elija de la lista.'],
    { vocab: 'transport_mode', width: 20 },
  ),
  f(
    'concealment_method',
    false,
    'vocab',
    ['Concealment method', 'Méthode de dissimulation', 'Método de ocultación'],
    ['Choose from the list.', 'Choisissez dans la liste.', 'Elija de la lista.'],
    { vocab: 'concealment_method', width: 24 },
  ),
  f(
    'detection_method',
    false,
    'vocab',
    ['Detection method', 'Méthode de détection', 'Método de detección'],
    ['Choose from the list.', 'Choisissez dans la liste.', 'Elija de la lista.'],
    { vocab: 'detection_method', width: 22 },
  ),
  f(
    'infringement_type',
    true,
    'vocab',
    ['Infringement type', "Type d'infraction", 'Tipo de infracción'],
    ['Choose from the list.', 'Choisissez dans la liste.', 'Elija de la lista.'],
    { vocab: 'infringement_type', width: 20 },
  ),
  f(
    'remarks',
    false,
    'text',
    ['Remarks', 'Observations', 'Observaciones'],
    [
      'Anything else worth knowing (kept for the analysts; never shared with other Members).',
      'Toute autre information utile (réservée aux analystes ; jamais partagée avec d’autres Membres).',
      'Cualquier otra información útil (solo para los analistas; nunca se comparte con otros Miembros).',
    ],
    { maxLength: 2000, width: 30 },
  ),
];

export const FIELD_BY_KEY: ReadonlyMap<FieldKey, FieldDef> = new Map(FIELDS.map((d) => [d.key, d]));
export const REQUIRED_KEYS: readonly FieldKey[] = FIELDS.filter((d) => d.required).map((d) => d.key);
