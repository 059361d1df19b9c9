/**
 * The controlled vocabularies of a seizure row. Members fill the template in English, French or Spanish; a cell
 * matches a code when, once folded (case, accents, spaces and punctuation gone), it equals the code itself, one of
 * its three labels or one of its listed synonyms. The tables below are the only place these words live.
 */
import type { Lang } from './lang.ts';

export type { Lang };

export const LANGS: readonly Lang[] = ['en', 'fr', 'es'];

const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd' };

/**
 * Folds a cell for comparison: compatibility decomposition, combining marks stripped, lower case, and every space
 * (NBSP included), punctuation mark, symbol and invisible format character removed.
 * `"Vêtements de protection"` -> `"vetementsdeprotection"`, `"COVID-19 test kit"` -> `"covid19testkit"`.
 */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\p{M}\s\p{P}\p{S}\p{C}]/gu, '')
    .replace(/[œæßøłđ]/g, (c) => LIGATURES[c] ?? c);
}

export type VocabName =
  | 'category'
  | 'product'
  | 'unit'
  | 'transport_mode'
  | 'concealment_method'
  | 'detection_method'
  | 'infringement_type'
  | 'location_type'
  | 'direction';

export interface Vocabulary {
  readonly name: VocabName;
  readonly codes: readonly string[];
  /** The display label of a code; the code itself when it is not in this vocabulary. */
  label(code: string, lang: Lang): string;
  /** Every spelling accepted for a code: the en, fr and es labels, then the synonyms. Empty for an unknown code. */
  labels(code: string): readonly string[];
  /** The canonical code of a cell, or undefined. One Map lookup on the folded text. */
  match(text: string): string | undefined;
  /**
   * The code whose spelling is close to a cell that did not match: Damerau-Levenshtein distance on folded strings
   * at most max(1, floor(label length / 4)), else one folded spelling a prefix (>= 4 chars) of the other. Undefined
   * when nothing is close, when the folded cell is shorter than 3 characters, or when two codes are equally close.
   */
  suggest(text: string): string | undefined;
}

/** `[code, en, fr, es, ...synonyms]`. */
type Entry = readonly [code: string, en: string, fr: string, es: string, ...synonyms: string[]];

export type Category = 'medicine' | 'medical_device' | 'vaccine';

const CATEGORY: readonly Entry[] = [
  ['medicine', 'Medicines', 'Médicaments', 'Medicamentos', 'Medicine', 'Médicament', 'Medicamento'],
  [
    'medical_device',
    'Medical devices',
    'Dispositifs médicaux',
    'Dispositivos médicos',
    'Medical device',
    'Dispositif médical',
    'Dispositivo médico',
  ],
  ['vaccine', 'Vaccines', 'Vaccins', 'Vacunas', 'Vaccine', 'Vaccin', 'Vacuna'],
];

const PRODUCT: Readonly<Record<Category, readonly Entry[]>> = {
  medicine: [
    ['ivermectin', 'Ivermectin', 'Ivermectine', 'Ivermectina'],
    ['doxycycline', 'Doxycycline', 'Doxycycline', 'Doxiciclina'],
    ['pregabalin', 'Pregabalin', 'Prégabaline', 'Pregabalina'],
    ['hydroxychloroquine', 'Hydroxychloroquine', 'Hydroxychloroquine', 'Hidroxicloroquina'],
    ['chloroquine', 'Chloroquine', 'Chloroquine', 'Cloroquina'],
    ['azithromycin', 'Azithromycin', 'Azithromycine', 'Azitromicina'],
    ['favipiravir', 'Favipiravir', 'Favipiravir', 'Favipiravir'],
    ['remdesivir', 'Remdesivir', 'Remdesivir', 'Remdesivir'],
    ['dexamethasone', 'Dexamethasone', 'Dexaméthasone', 'Dexametasona'],
    ['paracetamol', 'Paracetamol', 'Paracétamol', 'Paracetamol', 'Acetaminophen', 'Acetaminofén'],
    ['tramadol', 'Tramadol', 'Tramadol', 'Tramadol'],
    [
      'other_medicine',
      'Other medicine',
      'Autre médicament',
      'Otro medicamento',
      'Other medicines',
      'Autres médicaments',
      'Otros medicamentos',
    ],
  ],
  medical_device: [
    [
      'test_kit',
      'COVID-19 test kit',
      'Kit de test COVID-19',
      'Kit de prueba COVID-19',
      'COVID-19 test kits',
      'Kits de test COVID-19',
      'Kits de prueba COVID-19',
      'Test kit',
      'Test kits',
    ],
    ['face_mask', 'Face mask', 'Masque', 'Mascarilla', 'Face masks', 'Masques', 'Mascarillas', 'Mask', 'Masks'],
    ['gloves', 'Gloves', 'Gants', 'Guantes', 'Glove', 'Gant', 'Guante'],
    ['used_gloves', 'Used gloves', 'Gants usagés', 'Guantes usados'],
    ['sanitizer', 'Hand sanitizer', 'Gel hydroalcoolique', 'Gel desinfectante', 'Hand sanitiser', 'Sanitizer', 'Sanitiser'],
    [
      'oxygen_cylinder',
      'Oxygen cylinder',
      "Bouteille d'oxygène",
      'Cilindro de oxígeno',
      'Oxygen cylinders',
      "Bouteilles d'oxygène",
      'Cilindros de oxígeno',
    ],
    [
      'oxygen_concentrator',
      'Oxygen concentrator',
      "Concentrateur d'oxygène",
      'Concentrador de oxígeno',
      'Oxygen concentrators',
      "Concentrateurs d'oxygène",
      'Concentradores de oxígeno',
    ],
    ['ventilator', 'Ventilator', 'Respirateur', 'Respirador', 'Ventilators', 'Respirateurs', 'Respiradores'],
    ['thermometer', 'Thermometer', 'Thermomètre', 'Termómetro', 'Thermometers', 'Thermomètres', 'Termómetros'],
    ['protective_clothing', 'Protective clothing', 'Vêtements de protection', 'Ropa de protección'],
    [
      'other_device',
      'Other medical device',
      'Autre dispositif médical',
      'Otro dispositivo médico',
      'Other medical devices',
      'Autres dispositifs médicaux',
      'Otros dispositivos médicos',
    ],
  ],
  vaccine: [
    [
      'covid19_vaccine',
      'COVID-19 vaccine',
      'Vaccin COVID-19',
      'Vacuna COVID-19',
      'COVID-19 vaccines',
      'Vaccins COVID-19',
      'Vacunas COVID-19',
    ],
    ['other_vaccine', 'Other vaccine', 'Autre vaccin', 'Otra vacuna', 'Other vaccines', 'Autres vaccins', 'Otras vacunas'],
  ],
};

const OTHER: Entry = ['other', 'Other', 'Autre', 'Otro'];
const UNKNOWN: Entry = ['unknown', 'Unknown', 'Inconnu', 'Desconocido'];

const DATA: Readonly<Record<VocabName, readonly Entry[]>> = {
  category: CATEGORY,
  product: [...PRODUCT.medicine, ...PRODUCT.medical_device, ...PRODUCT.vaccine],
  unit: [
    [
      'pieces',
      'Pieces',
      'Pièces',
      'Piezas',
      'pcs',
      'pc',
      'Piece',
      'Pièce',
      'Pieza',
      'units',
      'unit',
      'Unités',
      'Unité',
      'Unidades',
      'Unidad',
    ],
    ['doses', 'Doses', 'Doses', 'Dosis', 'Dose'],
    ['packs', 'Packs', 'Paquets', 'Paquetes', 'Pack', 'Paquet', 'Paquete'],
    ['kg', 'Kilograms', 'Kilogrammes', 'Kilogramos', 'kg', 'kgs', 'Kilogram', 'Kilogramme', 'Kilogramo', 'Kilo', 'Kilos'],
    ['litres', 'Litres', 'Litres', 'Litros', 'l', 'liters', 'liter', 'litre', 'Litro', 'ltr'],
  ],
  transport_mode: [
    ['sea', 'Sea', 'Maritime', 'Marítimo', 'Sea cargo', 'Fret maritime', 'Carga marítima'],
    ['rail', 'Rail', 'Ferroviaire', 'Ferrocarril', 'Railway', 'Rail cargo', 'Fret ferroviaire'],
    ['road', 'Road', 'Routier', 'Carretera', 'Road cargo', 'Fret routier', 'Transporte por carretera'],
    ['air_cargo', 'Air cargo', 'Fret aérien', 'Carga aérea', 'Air freight'],
    ['air_passenger', 'Air passenger', 'Passager aérien', 'Pasajero aéreo', 'Air passengers', 'Passagers aériens', 'Pasajeros aéreos'],
    ['express_courier', 'Express courier', 'Fret express', 'Mensajería urgente', 'Courier', 'Express', 'Messagerie express', 'Mensajería'],
    ['postal', 'Postal', 'Postal', 'Postal', 'Post', 'Mail', 'Poste', 'Correo'],
    OTHER,
    UNKNOWN,
  ],
  concealment_method: [
    ['none', 'None', 'Aucune', 'Ninguna', 'Aucun', 'Ninguno', 'No concealment'],
    ['misdescribed', 'Misdescribed', 'Fausse description', 'Descripción falsa', 'Misdeclared', 'Fausse déclaration', 'Declaración falsa'],
    ['undervalued', 'Undervalued', 'Sous-évalué', 'Infravalorado', 'Sous-évaluée', 'Infravalorada'],
    ['mixed_with_legitimate', 'Mixed with legitimate goods', 'Mélangé à des marchandises licites', 'Mezclado con mercancía lícita'],
    ['baggage', 'Baggage', 'Bagages', 'Equipaje', 'Luggage', 'Bagage'],
    ['on_body', 'On body', 'Sur la personne', 'Adosado al cuerpo', 'Body concealment', 'On the body'],
    ['vehicle_cavity', 'Vehicle cavity', 'Cache dans un véhicule', 'Doble fondo en vehículo'],
    ['repackaged', 'Repackaged', 'Reconditionné', 'Reenvasado'],
    ['split_consignment', 'Split consignment', 'Envoi fractionné', 'Envío fraccionado'],
    ['false_documents', 'False documents', 'Faux documents', 'Documentos falsos'],
    OTHER,
    UNKNOWN,
  ],
  detection_method: [
    [
      'risk_profiling',
      'Risk profiling',
      'Profilage des risques',
      'Perfilado de riesgos',
      'Risk analysis',
      'Analyse de risque',
      'Análisis de riesgo',
    ],
    ['intelligence', 'Intelligence', 'Renseignement', 'Inteligencia'],
    ['routine_control', 'Routine control', 'Contrôle de routine', 'Control rutinario', 'Routine check'],
    ['random_check', 'Random check', 'Contrôle aléatoire', 'Control aleatorio', 'Random control', 'Random selection'],
    ['x_ray', 'X-ray', 'Rayons X', 'Rayos X', 'X-ray scanner', 'Scanner', 'Escáner'],
    ['detector_dog', 'Detector dog', 'Chien détecteur', 'Perro detector', 'Sniffer dog', 'Canine', 'Chien renifleur'],
    ['document_check', 'Document check', 'Contrôle documentaire', 'Control documental', 'Documentary check'],
    ['right_holder_alert', 'Right holder alert', 'Alerte du titulaire de droits', 'Alerta del titular de derechos', 'Rights holder alert'],
    OTHER,
    UNKNOWN,
  ],
  infringement_type: [
    ['counterfeit', 'Counterfeit', 'Contrefaçon', 'Falsificación'],
    ['falsified', 'Falsified', 'Falsifié', 'Falsificado', 'Falsifiée', 'Falsificada'],
    ['substandard', 'Substandard', 'De qualité inférieure', 'De calidad subestándar', 'Subestándar'],
    ['unauthorised', 'Unauthorised', 'Non autorisé', 'No autorizado', 'Unauthorized', 'Non autorisée', 'No autorizada'],
    ['expired', 'Expired', 'Périmé', 'Caducado', 'Périmée', 'Caducada'],
    ['used', 'Used', 'Usagé', 'Usado', 'Usagée', 'Usada'],
    ['smuggled', 'Smuggled', 'Contrebande', 'Contrabando'],
    OTHER,
  ],
  location_type: [
    ['airport', 'Airport', 'Aéroport', 'Aeropuerto'],
    ['seaport', 'Seaport', 'Port maritime', 'Puerto marítimo', 'Port', 'Puerto'],
    ['land_border', 'Land border', 'Frontière terrestre', 'Frontera terrestre', 'Border crossing'],
    ['postal_centre', 'Postal centre', 'Centre postal', 'Centro postal', 'Postal center', 'Mail centre', 'Centre de tri postal'],
    ['express_hub', 'Express courier hub', 'Plateforme de fret express', 'Centro de mensajería urgente', 'Express hub', 'Courier hub'],
    ['inland', 'Inland', 'Intérieur du territoire', 'Interior del territorio', 'Inland control'],
    OTHER,
  ],
  direction: [
    ['import', 'Import', 'Importation', 'Importación'],
    ['export', 'Export', 'Exportation', 'Exportación'],
    ['transit', 'Transit', 'Transit', 'Tránsito'],
  ],
};

/** Optimal-string-alignment Damerau-Levenshtein distance, or `max + 1` as soon as it must exceed `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The code with the lowest score among `[folded spelling, code]` pairs (undefined scores are out): null when none
 * scored, undefined when codes tie for the lowest.
 */
function closest(keys: readonly (readonly [string, string])[], score: (key: string) => number | undefined): string | null | undefined {
  let best: string | null | undefined = null;
  let bestScore = Infinity;
  for (const [key, code] of keys) {
    const s = score(key);
    if (s === undefined || s > bestScore) continue;
    if (s < bestScore) [best, bestScore] = [code, s];
    else if (best !== code) best = undefined;
  }
  return best;
}

function makeVocabulary(name: VocabName, entries: readonly Entry[]): Vocabulary {
  const byCode = new Map<string, Entry>();
  const index = new Map<string, string>();
  for (const entry of entries) {
    const [code, ...spellings] = entry;
    if (byCode.has(code)) throw new Error(`vocabulary ${name}: code ${code} listed twice`);
    byCode.set(code, entry);
    for (const spelling of [code, ...spellings]) {
      const key = fold(spelling);
      const owner = index.get(key);
      if (!key || (owner !== undefined && owner !== code)) {
        throw new Error(`vocabulary ${name}: "${spelling}" of ${code} folds to "${key}", already ${owner ?? 'empty'}`);
      }
      index.set(key, code);
    }
  }
  const keys = [...index];

  return {
    name,
    codes: [...byCode.keys()],
    label: (code, lang) => byCode.get(code)?.[LANGS.indexOf(lang) + 1] ?? code,
    labels: (code) => byCode.get(code)?.slice(1) ?? [],
    match: (text) => index.get(fold(text)),
    suggest(text) {
      const f = fold(text);
      const exact = index.get(f);
      if (exact !== undefined || f.length < 3) return exact;
      // A close edit first; then the longest spelling the cell starts with (extra words: "Ivermectin 3 mg tablets");
      // then the one code whose spellings the cell begins (a cut-off cell). Two codes equally close: no answer.
      const edit = closest(keys, (key) => {
        const max = Math.max(1, Math.floor(key.length / 4));
        const d = distance(f, key, max);
        return d <= max ? d : undefined;
      });
      if (edit !== null) return edit;
      const extended = closest(keys, (key) => (key.length >= 4 && f.startsWith(key) ? -key.length : undefined));
      if (extended !== null) return extended;
      return closest(keys, (key) => (f.length >= 4 && key.startsWith(f) ? 0 : undefined)) ?? undefined;
    },
  };
}

export const VOCABS: Readonly<Record<VocabName, Vocabulary>> = Object.freeze(
  Object.fromEntries((Object.keys(DATA) as VocabName[]).map((name) => [name, makeVocabulary(name, DATA[name])])) as Record<
    VocabName,
    Vocabulary
  >,
);

export const PRODUCTS_BY_CATEGORY: Readonly<Record<Category, readonly string[]>> = Object.freeze({
  medicine: PRODUCT.medicine.map((e) => e[0]),
  medical_device: PRODUCT.medical_device.map((e) => e[0]),
  vaccine: PRODUCT.vaccine.map((e) => e[0]),
});

const CATEGORY_OF = new Map<string, Category>(
  (Object.keys(PRODUCTS_BY_CATEGORY) as Category[]).flatMap((c) => PRODUCTS_BY_CATEGORY[c].map((p) => [p, c] as const)),
);

/** The category a product code belongs to, or undefined for an unknown code. */
export function categoryOfProduct(product: string): Category | undefined {
  return CATEGORY_OF.get(product);
}
