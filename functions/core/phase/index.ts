/**
 * The phase close (see README.md beside this file): plan -> aggregate each slice while its lines stream -> merge ->
 * analyse (functions/core/trends) -> render (NCP and analysts' versions: json, xlsx, html) -> store the summary item
 * -> alert emails. Plain code: nothing here knows of Lambda events; functions/phase-* adapt them.
 * Handlers should import the module they need (render.ts pulls in the charting and workbook libraries).
 */
export * from './input.ts';
export * from './aggregate.ts';
export * from './analyse.ts';
export * from './summary.ts';
export * from './text.ts';
export * from './mail-words.ts';
export * from './links.ts';
export * from './items.ts';
export * from './alerts.ts';
export * from './io.ts';
export * from './steps.ts';
export * from './render.ts';
export { renderHtml } from './render-html.ts';
export { renderXlsx, safeCellText } from './render-xlsx.ts';
