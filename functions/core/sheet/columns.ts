/** Spreadsheet column letters: 0 <-> A, 25 <-> Z, 26 <-> AA ... (0-based indexes, as rows' cells are). */

const letters: string[] = [];

export function columnLetter(index: number): string {
  let s = letters[index];
  if (s === undefined) {
    s = '';
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    letters[index] = s;
  }
  return s;
}

/** The index of column letters (upper case). */
export function columnIndex(letter: string): number {
  let n = 0;
  for (let i = 0; i < letter.length; i++) n = n * 26 + (letter.charCodeAt(i) - 64);
  return n - 1;
}
