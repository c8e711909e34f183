// Types of scripts/source-stamp.mjs for the tests that import it.
export const STAMP_FILE: string;
export function sourceStamp(root: string): string;
export function isBuilt(root: string): boolean;
