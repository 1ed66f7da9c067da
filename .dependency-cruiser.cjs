/**
 * Import layers, lowest first: src/core (types, rules, the Store contract) ← src/store (engines,
 * and open.ts, which picks one) ← src/worker ← faces (src/cli, src/web, and src/index.ts, the
 * library export, with src/open.ts, the library's Queue). An import may only point down, and
 * never round in a cycle. `npm run lint` runs this over src/.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one: neither can be read, tested or moved alone.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-only-core",
      severity: "error",
      comment: "The core holds the rules and the Store contract; engines, worker and faces build on it.",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "engines-below-worker-and-faces",
      severity: "error",
      comment: "An engine implements the core's Store; it knows nothing of who drives it.",
      from: { path: "^src/store/" },
      to: { path: "^src/(worker|cli|web)/|^src/(open|index)\\.ts$" },
    },
    {
      name: "worker-below-faces",
      severity: "error",
      comment: "The worker pool is driven by faces (CLI, web, library), never the other way.",
      from: { path: "^src/worker/" },
      to: { path: "^src/(cli|web)/|^src/(open|index)\\.ts$" },
    },
    {
      name: "open-below-faces",
      severity: "error",
      comment: "src/open.ts wires an engine under the core's Queue; faces call it, it calls no face.",
      from: { path: "^src/open\\.ts$" },
      to: { path: "^src/(worker|cli|web)/|^src/index\\.ts$" },
    },
    {
      name: "faces-talk-to-queue",
      severity: "error",
      comment: "CLI and web reach the jobs through Queue (opened via src/open.ts), not an engine.",
      from: { path: "^src/(cli|web)/" },
      to: { path: "^src/store/" },
    },
    {
      name: "src-not-to-dev-deps",
      severity: "error",
      comment: "What src/ imports at run time must be a dependency: the package ships without devDependencies.",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    // Type-only imports count: a type pointing the wrong way ties the layers as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/web/ui/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
