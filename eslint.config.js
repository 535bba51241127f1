// One lint configuration for every part: typescript-eslint's type-aware
// rules, no import cycles, and the provider's layers enforced as folders —
// each folder of provider/ may import only the folders listed before it
// (common, configuration, registry, cloud, credentials, cache, kubelet), and
// the core never imports the programs built on it.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const layers = ['common', 'configuration', 'registry', 'cloud', 'credentials', 'cache', 'kubelet'];
const layerZones = layers.flatMap((layer, index) =>
  layers.slice(index + 1).map((higher) => ({
    target: `./provider/${layer}`,
    from: `./provider/${higher}`,
    message: `provider/${layer} is below provider/${higher}: move the shared piece down instead.`,
  })),
);
const programZones = ['plugin', 'node-setup', 'launcher', 'docker-credential'].map((program) => ({
  target: './provider',
  from: `./${program}`,
  message: 'The provider core must not depend on the programs built on it.',
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'eslint.config.js', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...programZones] }],
    },
  },
  {
    files: [
      'provider/**/*.ts',
      'plugin/**/*.ts',
      'node-setup/**/*.ts',
      'launcher/**/*.ts',
      'docker-credential/**/*.ts',
    ],
    rules: { 'max-lines': ['error', { max: 350 }], 'max-params': ['error', 5] },
  },
  {
    // Tests read what programs print (JSON.parse, YAML) and assert on its
    // shape; typing every such value first would add nothing an assertion
    // does not already check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes and stubs implement async interfaces with answers they already have.
      '@typescript-eslint/require-await': 'off',
      // Tests poke at parsed manifests and API objects whose shape they assert.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      // Plain JavaScript: no TypeScript project to type-check it against.
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', globalThis: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
