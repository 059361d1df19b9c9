import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  LANGS,
  PRODUCTS_BY_CATEGORY,
  VOCABS,
  categoryOfProduct,
  fold,
  type Category,
  type VocabName,
} from '../../../../functions/core/vocabulary/vocab.ts';

/** The agreed labels, written out independently of the module: `code: en / fr / es`. */
const SPEC: Partial<Record<VocabName, string>> = {
  category: `
    medicine: Medicines / Médicaments / Medicamentos
    medical_device: Medical devices / Dispositifs médicaux / Dispositivos médicos
    vaccine: Vaccines / Vaccins / Vacunas`,
  product: `
    ivermectin: Ivermectin / Ivermectine / Ivermectina
    doxycycline: Doxycycline / Doxycycline / Doxiciclina
    pregabalin: Pregabalin / Prégabaline / Pregabalina
    hydroxychloroquine: Hydroxychloroquine / Hydroxychloroquine / Hidroxicloroquina
    chloroquine: Chloroquine / Chloroquine / Cloroquina
    azithromycin: Azithromycin / Azithromycine / Azitromicina
    favipiravir: Favipiravir / Favipiravir / Favipiravir
    remdesivir: Remdesivir / Remdesivir / Remdesivir
    dexamethasone: Dexamethasone / Dexaméthasone / Dexametasona
    paracetamol: Paracetamol / Paracétamol / Paracetamol
    tramadol: Tramadol / Tramadol / Tramadol
    other_medicine: Other medicine / Autre médicament / Otro medicamento
    test_kit: COVID-19 test kit / Kit de test COVID-19 / Kit de prueba COVID-19
    face_mask: Face mask / Masque / Mascarilla
    gloves: Gloves / Gants / Guantes
    used_gloves: Used gloves / Gants usagés / Guantes usados
    sanitizer: Hand sanitizer / Gel hydroalcoolique / Gel desinfectante
    oxygen_cylinder: Oxygen cylinder / Bouteille d'oxygène / Cilindro de oxígeno
    oxygen_concentrator: Oxygen concentrator / Concentrateur d'oxygène / Concentrador de oxígeno
    ventilator: Ventilator / Respirateur / Respirador
    thermometer: Thermometer / Thermomètre / Termómetro
    protective_clothing: Protective clothing / Vêtements de protection / Ropa de protección
    other_device: Other medical device / Autre dispositif médical / Otro dispositivo médico
    covid19_vaccine: COVID-19 vaccine / Vaccin COVID-19 / Vacuna COVID-19
    other_vaccine: Other vaccine / Autre vaccin / Otra vacuna`,
  unit: `
    pieces: Pieces / Pièces / Piezas
    doses: Doses / Doses / Dosis
    packs: Packs / Paquets / Paquetes
    kg: Kilograms / Kilogrammes / Kilogramos
    litres: Litres / Litres / Litros`,
  transport_mode: `
    sea: Sea / Maritime / Marítimo
    rail: Rail / Ferroviaire / Ferrocarril
    road: Road / Routier / Carretera
    air_cargo: Air cargo / Fret aérien / Carga aérea
    air_passenger: Air passenger / Passager aérien / Pasajero aéreo
    express_courier: Express courier / Fret express / Mensajería urgente
    postal: Postal / Postal / Postal
    other: Other / Autre / Otro
    unknown: Unknown / Inconnu / Desconocido`,
  concealment_method: `
    none: None / Aucune / Ninguna
    misdescribed: Misdescribed / Fausse description / Descripción falsa
    undervalued: Undervalued / Sous-évalué / Infravalorado
    mixed_with_legitimate: Mixed with legitimate goods / Mélangé à des marchandises licites / Mezclado con mercancía lícita
    baggage: Baggage / Bagages / Equipaje
    on_body: On body / Sur la personne / Adosado al cuerpo
    vehicle_cavity: Vehicle cavity / Cache dans un véhicule / Doble fondo en vehículo
    repackaged: Repackaged / Reconditionné / Reenvasado
    split_consignment: Split consignment / Envoi fractionné / Envío fraccionado
    false_documents: False documents / Faux documents / Documentos falsos
    other: Other / Autre / Otro
    unknown: Unknown / Inconnu / Desconocido`,
  infringement_type: `
    counterfeit: Counterfeit / Contrefaçon / Falsificación
    falsified: Falsified / Falsifié / Falsificado
    substandard: Substandard / De qualité inférieure / De calidad subestándar
    unauthorised: Unauthorised / Non autorisé / No autorizado
    expired: Expired / Périmé / Caducado
    used: Used / Usagé / Usado
    smuggled: Smuggled / Contrebande / Contrabando
    other: Other / Autre / Otro`,
};

const CODES: Record<VocabName, readonly string[]> = {
  ...(Object.fromEntries(
    Object.entries(SPEC).map(([name, table]) => [
      name,
      table
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]!.trim()),
    ]),
  ) as Record<VocabName, string[]>),
  detection_method: [
    'risk_profiling',
    'intelligence',
    'routine_control',
    'random_check',
    'x_ray',
    'detector_dog',
    'document_check',
    'right_holder_alert',
    'other',
    'unknown',
  ],
  location_type: ['airport', 'seaport', 'land_border', 'postal_centre', 'express_hub', 'inland', 'other'],
  direction: ['import', 'export', 'transit'],
};

test('fold drops case, accents, spaces and punctuation', () => {
  assert.equal(fold('Vêtements de protection'), 'vetementsdeprotection');
  assert.equal(fold('COVID-19 test kit'), 'covid19testkit');
  assert.equal(fold('air_cargo'), 'aircargo');
  assert.equal(fold('Bouteille d’oxygène'), 'bouteilledoxygene');
  assert.equal(fold('\u00a0Fret\u00a0aérien\t(express)/.'), 'fretaerienexpress');
  assert.equal(fold('Contrefaçon'), 'contrefacon');
  assert.equal(fold('Mensajería urgente'), 'mensajeriaurgente');
  assert.equal(fold('ＦＡＣＥ\u200bMASK'), 'facemask');
  assert.equal(fold(''), '');
});

test('each vocabulary holds exactly the agreed codes, in order', () => {
  assert.deepEqual(Object.keys(VOCABS).sort(), Object.keys(CODES).sort());
  for (const [name, codes] of Object.entries(CODES) as [VocabName, readonly string[]][]) {
    assert.equal(VOCABS[name].name, name);
    assert.deepEqual(VOCABS[name].codes, codes, name);
  }
});

for (const [name, table] of Object.entries(SPEC) as [VocabName, string][]) {
  test(`${name}: every agreed label is the display label and matches its code`, () => {
    for (const line of table.trim().split('\n')) {
      const [code, rest] = line.split(':').map((s) => s.trim()) as [string, string];
      const labels = rest.split(' / ');
      LANGS.forEach((lang, i) => {
        assert.equal(VOCABS[name].label(code, lang), labels[i], `${name}.${code} ${lang}`);
        assert.equal(VOCABS[name].match(labels[i]!), code, `${name}: "${labels[i]}"`);
      });
    }
  });
}

test('every spelling of every code (labels, synonyms, the code itself) matches that code', () => {
  for (const vocab of Object.values(VOCABS)) {
    for (const code of vocab.codes) {
      assert.ok(vocab.labels(code).length >= 3, `${vocab.name}.${code} has three labels`);
      for (const lang of LANGS) assert.ok(vocab.label(code, lang).trim(), `${vocab.name}.${code} ${lang}`);
      for (const s of [code, ...vocab.labels(code)]) assert.equal(vocab.match(s), code, `${vocab.name}: "${s}"`);
    }
  }
});

test('self-check: no two codes of one vocabulary share a folded spelling', () => {
  for (const vocab of Object.values(VOCABS)) {
    const owner = new Map<string, string>();
    for (const code of vocab.codes) {
      for (const s of [code, ...vocab.labels(code)]) {
        const key = fold(s);
        assert.ok(key, `${vocab.name}.${code}: "${s}" folds to nothing`);
        const prev = owner.get(key);
        assert.ok(prev === undefined || prev === code, `${vocab.name}: "${s}" of ${code} clashes with ${prev}`);
        owner.set(key, code);
      }
    }
  }
});

test('the required synonyms match', () => {
  const cases: [VocabName, string, string][] = [
    ['category', 'Medicine', 'medicine'],
    ['category', 'Médicament', 'medicine'],
    ['category', 'Medicamento', 'medicine'],
    ['category', 'Medical device', 'medical_device'],
    ['category', 'Dispositif médical', 'medical_device'],
    ['category', 'Dispositivo médico', 'medical_device'],
    ['category', 'Vaccine', 'vaccine'],
    ['category', 'Vaccin', 'vaccine'],
    ['category', 'Vacuna', 'vaccine'],
    ['unit', 'pcs', 'pieces'],
    ['unit', 'units', 'pieces'],
    ['unit', 'kg', 'kg'],
    ['unit', 'KG', 'kg'],
    ['unit', 'l', 'litres'],
    ['unit', 'L', 'litres'],
    ['unit', 'liters', 'litres'],
    ['unit', 'liter', 'litres'],
    ['unit', 'litre', 'litres'],
    ['infringement_type', 'Unauthorized', 'unauthorised'],
  ];
  for (const [name, text, code] of cases) assert.equal(VOCABS[name].match(text), code, `${name}: "${text}"`);
});

test('case, accent, spacing and punctuation variants match', () => {
  const cases: [VocabName, string, string][] = [
    ['category', 'MÉDICAMENTS', 'medicine'],
    ['category', '  dispositifs   medicaux ', 'medical_device'],
    ['product', 'covid19 test-kit', 'test_kit'],
    ['product', 'KIT DE PRUEBA COVID 19', 'test_kit'],
    ['product', 'gants usages', 'used_gloves'],
    ['product', 'Gants', 'gloves'],
    ['product', 'Bouteille d’oxygène', 'oxygen_cylinder'],
    ['product', 'bouteille d oxygene', 'oxygen_cylinder'],
    ['product', 'Prégabaline.', 'pregabalin'],
    ['product', 'termometro', 'thermometer'],
    ['product', 'vetements de protection', 'protective_clothing'],
    ['product', 'Vaccin Covid-19', 'covid19_vaccine'],
    ['transport_mode', 'Air_Cargo', 'air_cargo'],
    ['transport_mode', 'air-cargo', 'air_cargo'],
    ['transport_mode', 'Fret\u00a0aérien', 'air_cargo'],
    ['transport_mode', 'mensajeria urgente', 'express_courier'],
    ['concealment_method', 'sous evalue', 'undervalued'],
    ['concealment_method', 'Mélangé à des marchandises licites', 'mixed_with_legitimate'],
    ['detection_method', 'x ray', 'x_ray'],
    ['detection_method', 'XRAY', 'x_ray'],
    ['detection_method', 'Chien detecteur', 'detector_dog'],
    ['infringement_type', 'contrefacon', 'counterfeit'],
    ['infringement_type', 'FALSIFICACIÓN', 'counterfeit'],
    ['infringement_type', 'falsificado', 'falsified'],
    ['location_type', 'Aeropuerto', 'airport'],
    ['direction', 'importacion', 'import'],
  ];
  for (const [name, text, code] of cases) assert.equal(VOCABS[name].match(text), code, `${name}: "${text}"`);
});

test('text that is no spelling does not match', () => {
  assert.equal(VOCABS.product.match('Aspirine'), undefined);
  assert.equal(VOCABS.product.match(''), undefined);
  assert.equal(VOCABS.product.match(' - '), undefined);
  assert.equal(VOCABS.product.match('Ivermecitn'), undefined);
  assert.equal(VOCABS.transport_mode.match('Air'), undefined);
  assert.equal(VOCABS.category.match('ivermectin'), undefined);
  assert.equal(VOCABS.unit.match('lbs'), undefined);
});

test('suggest finds the code behind a near miss and nothing for unrelated text', () => {
  const P = VOCABS.product;
  assert.equal(P.suggest('Ivermectine'), 'ivermectin'); // exact in French
  assert.equal(P.suggest('Ivermecitn'), 'ivermectin'); // transposition
  assert.equal(P.suggest('hydroxychloroquin'), 'hydroxychloroquine');
  assert.equal(P.suggest('Paracetamole'), 'paracetamol');
  assert.equal(P.suggest('Masqeu'), 'face_mask');
  assert.equal(P.suggest('Gants usag'), 'used_gloves');
  assert.equal(P.suggest('Ivermectin 3 mg tablets'), 'ivermectin'); // a label followed by more words
  assert.equal(P.suggest('Vaccin covid'), 'covid19_vaccine'); // a cut-off label
  assert.equal(P.suggest('Aspirine'), undefined);
  assert.equal(P.suggest('Oxygen'), undefined); // cylinder or concentrator: no answer
  assert.equal(P.suggest('Autre'), undefined); // which other?
  assert.equal(P.suggest('x'), undefined);
  assert.equal(P.suggest(''), undefined);
  assert.equal(VOCABS.unit.suggest('kgs'), 'kg');
  assert.equal(VOCABS.unit.suggest('Kilo'), 'kg');
  assert.equal(VOCABS.unit.suggest('lb'), undefined);
  assert.equal(VOCABS.transport_mode.suggest('Maritim'), 'sea');
  assert.equal(VOCABS.infringement_type.suggest('Counterfiet'), 'counterfeit');
  assert.equal(VOCABS.direction.suggest('Smuggling'), undefined);
});

test('label falls back to the code, labels to nothing, for a code not in the vocabulary', () => {
  assert.equal(VOCABS.product.label('aspirin', 'fr'), 'aspirin');
  assert.deepEqual(VOCABS.product.labels('aspirin'), []);
  assert.deepEqual(LANGS, ['en', 'fr', 'es']);
});

test('products split into the three categories, each product in exactly one', () => {
  assert.deepEqual(Object.keys(PRODUCTS_BY_CATEGORY), VOCABS.category.codes);
  const all = Object.values(PRODUCTS_BY_CATEGORY).flat();
  assert.deepEqual([...all].sort(), [...VOCABS.product.codes].sort());
  assert.equal(new Set(all).size, all.length);
  for (const [category, products] of Object.entries(PRODUCTS_BY_CATEGORY) as [Category, readonly string[]][]) {
    for (const p of products) assert.equal(categoryOfProduct(p), category);
  }
  assert.equal(categoryOfProduct('ivermectin'), 'medicine');
  assert.equal(categoryOfProduct('face_mask'), 'medical_device');
  assert.equal(categoryOfProduct('covid19_vaccine'), 'vaccine');
  assert.equal(categoryOfProduct('Ivermectin'), undefined);
  assert.equal(categoryOfProduct('aspirin'), undefined);
});

test('matching is a map lookup: 100 000 cells well under a second', () => {
  const cells = VOCABS.product.codes.flatMap((c) => VOCABS.product.labels(c));
  const start = performance.now();
  for (let i = 0; i < 100_000; i++) VOCABS.product.match(cells[i % cells.length]!);
  assert.ok(performance.now() - start < 1000);
});
