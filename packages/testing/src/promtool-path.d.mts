/** Where the test command unpacks Debian's prometheus package when no promtool is installed. */
export const PROMTOOL_CACHE_DIR: string;

/** The promtool to use: `PROMTOOL_PATH`, else `promtool` on PATH, else the unpacked copy; undefined when there is none. */
export function findPromtool(): string | undefined;
