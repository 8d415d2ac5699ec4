// `pnpm bench`: runs every packages/*/bench/*.bench.ts in its own process (so each case reports its own
// peak RSS), one after another on an otherwise idle machine, against the TypeScript sources.
// Pass a substring to run only matching benchmarks: `pnpm bench search`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const filter = process.argv[2] ?? "";
const roots = ["packages", "actions"];
const files = [];
for (const root of roots) {
  for (const name of readdirSync(root)) {
    const folder = join(root, name, "bench");
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).sort()) {
      if (file.endsWith(".bench.ts") && join(folder, file).includes(filter)) files.push(join(folder, file));
    }
  }
}
if (files.length === 0) {
  console.log(`no benchmark matches "${filter}"`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(
    process.execPath,
    ["--conditions=@embedeval/source", "--import", "tsx", "--expose-gc", file],
    { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } },
  );
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
