// ESLint flat config: JavaScript's and typescript-eslint's recommended rules over the server, the
// dashboard, the tests, the benches and the scripts. Layout is Prettier's job (npm run format);
// import layers are dependency-cruiser's (.dependency-cruiser.cjs).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/results/", "test-results/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `x != null` is the one idiom kept: it means "null or undefined".
      eqeqeq: ["error", "always", { null: "ignore" }],
      // `import type` keeps type-only imports out of the emitted JavaScript (and out of start-up time).
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // `_name` marks a parameter kept for its position; `{ key: _, ...rest }` drops a key on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["src/cli/**", "src/web/**"],
    rules: {
      // Faces talk to Queue only; the worker alone drives the store through `queue.store`.
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name='store']",
          message: "Faces use Queue's methods, not its store (add a Queue method if one is missing).",
        },
      ],
    },
  },
  {
    files: ["test/**"],
    rules: {
      // Tests read the CLI's and the API's JSON untyped and assert on it field by field.
      "@typescript-eslint/no-explicit-any": "off",
      // Tests look for the control characters (ANSI escapes, NULs) the program must not print.
      "no-control-regex": "off",
    },
  },
  {
    // Plain Node scripts (CommonJS config, bin entry, build scripts): Node's globals.
    files: ["**/*.cjs", "bin/**", "scripts/**"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable" },
    },
  },
);
