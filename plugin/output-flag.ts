// `-o table|json|yaml`: the flag alone, so --help and completion load no renderer.

export const outputFormats = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** `-o table|json|yaml`, as every command whose output is data takes it. */
export const outputOption = {
  alias: 'o',
  type: 'string',
  choices: outputFormats,
  default: 'table',
  describe: 'Output format',
} as const;
