/**
 * The demo dataset: a synthetic operation shaped like STOP II, deterministic (one seed, one PRNG), so its totals are
 * reproducible and testable. Pure: an operation config in, files of canonical rows out ({@link generateDemo}); the
 * rows become the Members' spreadsheets with {@link demoWorkbook} (the upload template of the Member's language,
 * filled as a Member would).
 *
 * Shape at full scale (STOP II's published figures): 90 of the 160 participating Members report, one file per
 * reporting Member per phase (270 files), 2,769 cases, 4,034 seizure lines, and exactly 273,600,000 medicines +
 * 214,400,000 medical devices + 13,500,000 vaccine doses in units (pieces, doses and packs; a few sanitizer lines in
 * litres and used gloves in kg are kept apart, as the pipeline keeps them).
 *
 * The planted story, on top of a background whose rates are equal in every phase (each phase's background lines are
 * proportional to its weeks, and every Member reports in every phase, so exposure = weeks x Members):
 * 1. oxygen cylinders surge in phase 2: 10 lines at 4 Members, then 80 at 40 (38 of them new to the product), then 12
 *    at 6 (rate ratio ~10, then a fall); no background line is an oxygen cylinder;
 * 2. a new route from one origin in phase 3: TR > BG > RO > HU > AT > DE by road, 30 lines seized along it by the
 *    corridor's Members; no earlier line has that origin or route, and the background has no other new route or
 *    origin after phase 1 (each Member's 1 to 3 routes take its cases in turn, so all appear in every phase);
 * 3. a concealment method spreading across Members: split consignments, 3 lines at 1 Member in phase 1, 24 at 8 in
 *    phase 2, 60 at 20 in phase 3, spreading from ivermectin to doxycycline (phase 2) and azithromycin (phase 3); the
 *    background never uses it, and its concealments of a product in phases 2 and 3 are all seen in phase 1.
 * Planted lines are one-line cases. A smaller demo (`members` < 90) scales every figure down, the story included.
 *
 * Stages (each its module): reporters.ts (choose reporters), story.ts (plan the story), background.ts (background
 * cases), plant.ts (plant each signal), fit.ts (fit totals); generate.ts runs them in order with one Rng (rng.ts), so
 * the order of draws, and therefore the operation, is fixed by the seed. targets.ts: targets, story, shapes, totals;
 * mix.ts: the background's vocabulary mix; drafts.ts: lines being drawn; workbook.ts: the Members' spreadsheets.
 */
export * from './targets.ts';
export { Rng, apportion } from './rng.ts';
export { generateDemo } from './generate.ts';
export { demoWorkbook } from './workbook.ts';
