import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  ALPHA2,
  ALPHA3,
  countryName,
  isCurrency,
  normaliseCountry,
  normaliseCurrency,
  parseCountryList,
} from '../../../../functions/core/vocabulary/countries.ts';
import { LANGS } from '../../../../functions/core/vocabulary/vocab.ts';

test('the ISO 3166-1 table: 249 codes, alpha-2 and alpha-3 unique and well formed', () => {
  assert.equal(ALPHA2.size, 249);
  assert.equal(ALPHA3.size, 249);
  for (const a2 of ALPHA2) assert.match(a2, /^[A-Z]{2}$/);
  for (const a3 of ALPHA3.keys()) assert.match(a3, /^[A-Z]{3}$/);
  assert.deepEqual(new Set(ALPHA3.values()), ALPHA2);
});

test('the tricky alpha-3 codes map to the right alpha-2', () => {
  const pairs = {
    GB: 'GBR',
    DE: 'DEU',
    CH: 'CHE',
    ES: 'ESP',
    KR: 'KOR',
    KP: 'PRK',
    CD: 'COD',
    CG: 'COG',
    CI: 'CIV',
    SS: 'SSD',
    BQ: 'BES',
    CW: 'CUW',
    SX: 'SXM',
    AX: 'ALA',
    PS: 'PSE',
    TL: 'TLS',
    AT: 'AUT',
    AU: 'AUS',
    SK: 'SVK',
    SI: 'SVN',
    SB: 'SLB',
    SV: 'SLV',
    KM: 'COM',
    KY: 'CYM',
    GS: 'SGS',
    PM: 'SPM',
    TF: 'ATF',
    YT: 'MYT',
    MO: 'MAC',
    RS: 'SRB',
    ME: 'MNE',
    GW: 'GNB',
    GQ: 'GNQ',
    IE: 'IRL',
    IQ: 'IRQ',
    IR: 'IRN',
    NE: 'NER',
    NG: 'NGA',
    MG: 'MDG',
    AO: 'AGO',
  };
  for (const [a2, a3] of Object.entries(pairs)) assert.equal(ALPHA3.get(a3), a2, a3);
});

test('user-assigned and reserved codes are not ISO countries', () => {
  for (const c of ['XK', 'XX', 'EU', 'UK', 'EL', 'AN', 'YU', 'CS']) assert.ok(!ALPHA2.has(c), c);
});

test('every alpha-2 code has an ICU name in each language, other than the code', () => {
  for (const code of ALPHA2) {
    for (const lang of LANGS) {
      const name = countryName(code, lang);
      assert.ok(name && name !== code, `${code} ${lang}: ${name}`);
    }
  }
});

test('countryName', () => {
  assert.equal(countryName('FR', 'en'), 'France');
  assert.equal(countryName('DE', 'fr'), 'Allemagne');
  assert.equal(countryName('DE', 'es'), 'Alemania');
  assert.equal(countryName('gb', 'en'), 'United Kingdom');
  assert.equal(countryName('XX', 'en'), 'Unknown');
  assert.equal(countryName('XX', 'fr'), 'Inconnu');
  assert.equal(countryName('XX', 'es'), 'Desconocido');
  assert.equal(countryName('not a code', 'en'), 'not a code');
});

test('normaliseCountry takes alpha-2 or alpha-3 in any case, trimmed', () => {
  for (const t of ['fr', 'FR', 'Fr', 'FRA', 'fra', ' fr ', '\u00a0FRA\t']) assert.equal(normaliseCountry(t), 'FR', JSON.stringify(t));
  assert.equal(normaliseCountry('GBR'), 'GB');
  assert.equal(normaliseCountry('che'), 'CH');
  assert.equal(normaliseCountry('COD'), 'CD');
  assert.equal(normaliseCountry('UK'), 'GB');
  for (const t of ['', ' ', 'ZZ', 'ZZZ', 'XK', 'EU', 'F', 'FRAN', 'F R', '12', '250']) {
    assert.equal(normaliseCountry(t), undefined, JSON.stringify(t));
  }
});

test('normaliseCountry gives XX only when unknown is allowed', () => {
  for (const t of ['XX', 'xx', ' XX ', 'XXX', 'Unknown', 'inconnu', 'Desconocido']) {
    assert.equal(normaliseCountry(t), undefined, t);
    assert.equal(normaliseCountry(t, { allowUnknown: true }), 'XX', t);
    assert.equal(normaliseCountry(t, { allowUnknown: false }), undefined, t);
  }
  assert.equal(normaliseCountry('ZZ', { allowUnknown: true }), undefined);
});

test('normaliseCountry takes the ICU name in English, French or Spanish, folded', () => {
  const cases: [string, string][] = [
    ['France', 'FR'],
    ['Allemagne', 'DE'],
    ['Alemania', 'DE'],
    ['Chine', 'CN'],
    ['Royaume-Uni', 'GB'],
    ['Estados Unidos', 'US'],
    ['Côte d’Ivoire', 'CI'],
    ["cote d'ivoire", 'CI'],
    ['SUISSE', 'CH'],
    ['Corée du Sud', 'KR'],
  ];
  for (const [t, code] of cases) assert.equal(normaliseCountry(t), code, t);
  assert.equal(normaliseCountry('Atlantis'), undefined);
  for (const code of ALPHA2) {
    for (const lang of LANGS) assert.equal(normaliseCountry(countryName(code, lang)), code, `${code} ${lang}`);
  }
});

test('parseCountryList splits on ; , / and whitespace', () => {
  assert.deepEqual(parseCountryList('FR;DE, it / esp  NLD'), { codes: ['FR', 'DE', 'IT', 'ES', 'NL'], bad: [] });
  assert.deepEqual(parseCountryList(''), { codes: [], bad: [] });
  assert.deepEqual(parseCountryList(' ; , '), { codes: [], bad: [] });
  assert.deepEqual(parseCountryList('FR XX'), { codes: ['FR', 'XX'], bad: [] });
  assert.deepEqual(parseCountryList('fr; ZZ; de'), { codes: ['FR', 'DE'], bad: ['ZZ'] });
  assert.deepEqual(parseCountryList('FR DE QQ'), { codes: ['FR', 'DE'], bad: ['QQ'] });
  assert.deepEqual(parseCountryList('United Kingdom; Belgique'), { codes: ['GB', 'BE'], bad: [] });
  assert.deepEqual(parseCountryList('Fantasy Land, FR'), { codes: ['FR'], bad: ['Fantasy Land'] });
  assert.deepEqual(parseCountryList('FR; fra; FR'), { codes: ['FR'], bad: [] });
});

test('currencies: ISO 4217 three-letter codes, any case', () => {
  for (const c of ['EUR', 'eur', 'Usd', 'XOF', 'XAF', 'CHF', 'GBP', 'NGN', 'JPY']) assert.ok(isCurrency(c), c);
  for (const c of ['', 'EU', 'EURO', 'E1R', 'ABC', ' EUR', '€', 'US$']) assert.ok(!isCurrency(c), c);
  assert.equal(normaliseCurrency('eur '), 'EUR');
  assert.equal(normaliseCurrency('\tchf'), 'CHF');
  assert.equal(normaliseCurrency('euro'), undefined);
  assert.equal(normaliseCurrency(''), undefined);
});
