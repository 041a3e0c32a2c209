#!/usr/bin/env node
// Static checks of the Dockerfiles, since no Docker engine runs in CI to build them:
//   - every COPY source (outside --from) exists and is not excluded by .dockerignore;
//   - the restore layer (the COPYs before `RUN dotnet restore`) holds global.json, the Directory.*.props files and
//     the .csproj of every project the published project references, transitively;
//   - before `dotnet publish`, every referenced project's folder and every .proto it compiles has been copied.
// Exits 1 on any failure.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dockerfiles = ["deploy/gateway/Dockerfile", "deploy/worker/Dockerfile", "deploy/worker/Dockerfile.cuda"];
const restoreInputs = ["global.json", "Directory.Build.props", "Directory.Packages.props", "Directory.Build.targets", "NuGet.config", "nuget.config"]
  .filter((f) => existsSync(path.join(repoRoot, f)));

let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(`  FAIL ${msg}`);
};

// .dockerignore: later patterns win; "!" re-includes; "**" any depth; a path is excluded when it or a parent matches.
const ignoreRules = readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n")
  .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
  .map((l) => {
    const negate = l.startsWith("!");
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, "");
    const re = pattern.split("/").map((seg) => (seg === "**" ? "(?:.*)" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))).join("/")
      .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
    return { negate, re: new RegExp(`^${re}$`) };
  });
function ignored(p) {
  const parts = p.replace(/\/+$/, "").split("/");
  let excluded = false;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    for (const r of ignoreRules) if (r.re.test(prefix)) excluded = !r.negate;
    if (excluded) return true;
  }
  return false;
}

// Project references (transitive) and Protobuf inputs of a project, as repository-relative paths.
function projectClosure(csproj, seen = new Map()) {
  if (seen.has(csproj)) return seen;
  const text = readFileSync(path.join(repoRoot, csproj), "utf8");
  const dir = path.dirname(csproj);
  const protos = [...text.matchAll(/<Protobuf\s+Include="([^"]+)"/g)].map((m) => path.normalize(path.join(dir, m[1])));
  seen.set(csproj, protos);
  for (const m of text.matchAll(/<ProjectReference\s+Include="([^"]+)"/g)) {
    projectClosure(path.normalize(path.join(dir, m[1].replace(/\\/g, "/"))), seen);
  }
  return seen;
}

function instructions(file) {
  const joined = readFileSync(path.join(repoRoot, file), "utf8").replace(/\\\r?\n/g, " ");
  return joined.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

const covers = (source, target) => {
  const s = source.replace(/\/+$/, "");
  return s === "." || target === s || target.startsWith(`${s}/`);
};

for (const file of dockerfiles) {
  console.log(file);
  const before = failures;
  const copied = []; // { sources, index }
  let restoreAt = -1;
  let publish = null;
  instructions(file).forEach((line, index) => {
    const [op, ...args] = line.split(/\s+/);
    if (/^(COPY|ADD)$/i.test(op) && !args.some((a) => a.startsWith("--from"))) {
      const sources = args.filter((a) => !a.startsWith("--")).slice(0, -1);
      for (const s of sources) {
        if (!existsSync(path.join(repoRoot, s))) fail(`${file}: COPY source ${s} does not exist`);
        else if (ignored(s)) fail(`${file}: COPY source ${s} is excluded by .dockerignore`);
      }
      copied.push({ sources, index });
    }
    if (/^RUN$/i.test(op)) {
      if (restoreAt < 0 && /dotnet restore/.test(line)) restoreAt = index;
      const m = /dotnet publish\s+(\S+\.csproj)/.exec(line);
      if (m && !publish) publish = { csproj: m[1], index };
    }
  });
  if (!publish) {
    fail(`${file}: no RUN dotnet publish <project>.csproj`);
    continue;
  }
  if (restoreAt < 0) fail(`${file}: no RUN dotnet restore layer`);
  const closure = projectClosure(publish.csproj);
  const copiedBy = (limit, target) => copied.some((c) => c.index < limit && c.sources.some((s) => covers(s, target)));
  for (const input of [...restoreInputs, ...closure.keys()]) {
    if (!copiedBy(restoreAt, input)) fail(`${file}: ${input} is not copied before dotnet restore`);
  }
  for (const [csproj, protos] of closure) {
    if (!copiedBy(publish.index, path.dirname(csproj) + "/x")) fail(`${file}: ${path.dirname(csproj)}/ is not copied before dotnet publish`);
    for (const proto of protos) if (!copiedBy(publish.index, proto)) fail(`${file}: ${proto} is not copied before dotnet publish`);
  }
  if (failures === before) {
    console.log(`  ok   ${copied.length} COPY instructions; restore layer covers ${closure.size} projects; ${publish.csproj}`);
  }
}

if (failures > 0) {
  console.error(`dockerfiles: ${failures} failure(s)`);
  process.exit(1);
}
console.log("dockerfiles: all checks passed");
