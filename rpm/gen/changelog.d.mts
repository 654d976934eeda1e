// Types of changelog.mjs for the tests (TypeScript strict does not read .mjs).
export interface ChangeLogEntry {
  date: string;
  name: string;
  email: string;
  items: string[];
}
export function parseChangeLog(text: string): ChangeLogEntry[];
export function rpmDate(isoDate: string): string;
export function renderRpmChangelog(entries: ChangeLogEntry[]): string;
