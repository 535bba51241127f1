declare const __PROJECT_VERSION__: string;

/** The version line every executable prints for `--version`. */
export function versionLine(name: string): string {
  const version = typeof __PROJECT_VERSION__ === 'string' ? __PROJECT_VERSION__ : 'dev';
  return `${name} ${version} (node ${process.version})`;
}
