/**
 * Compiles the gateway with tsconfig.build.json's options into bench/.out/dist (or a folder under bench/.out)
 * (not dist/, so that nobody's build is touched), for the bench to run it as
 * `npm start` runs dist/. Each file is transpiled on its own with TypeScript's
 * `transpileModule`: the project sets `isolatedModules`, so the JavaScript is
 * what `tsc` emits, in a second rather than half a minute. Type errors are
 * `npm run typecheck`'s business, not the bench's.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

import { REPO_ROOT } from './startChild';

const OUT = path.join(REPO_ROOT, 'bench/.out');

/**
 * Builds the gateway and returns its entry, relative to the repository root.
 * `out` is the folder under bench/.out (default the folder itself): harnesses
 * that may run at the same time (the bench, the fault goals) build into their own.
 */
export function buildGateway(out = ''): string {
  const root = path.join(OUT, out);
  const configPath = path.join(REPO_ROOT, 'tsconfig.build.json');
  const { config, error } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath);
  const rootDir = parsed.options.rootDir ?? path.join(REPO_ROOT, 'src');
  const outDir = path.join(root, 'dist');
  rmSync(outDir, { recursive: true, force: true });

  for (const file of parsed.fileNames) {
    const relative = path.relative(rootDir, file);
    if (file.endsWith('.d.ts')) continue;
    const target = path.join(outDir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    if (file.endsWith('.json')) {
      cpSync(file, target);
      continue;
    }
    const js = target.replace(/\.ts$/, '.js');
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { ...parsed.options, sourceMap: true, inlineSourceMap: false },
      fileName: file,
    });
    const map = JSON.parse(output.sourceMapText ?? '{}') as { file?: string; sources?: string[] };
    map.file = path.basename(js);
    map.sources = [path.relative(path.dirname(js), file)];
    writeFileSync(js, output.outputText);
    writeFileSync(`${js}.map`, JSON.stringify(map));
  }
  copyJson(rootDir, outDir);
  // The gateway reads schema/*.graphql from two levels above its server/ folder,
  // as dist/server/ finds the repository's schema/.
  rmSync(path.join(root, 'schema'), { recursive: true, force: true });
  cpSync(path.join(REPO_ROOT, 'schema'), path.join(root, 'schema'), { recursive: true });
  return path.relative(REPO_ROOT, path.join(outDir, 'index.js'));
}

/** JSON modules (`resolveJsonModule`) travel with the code, as tsc copies them. */
function copyJson(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyJson(source, path.join(to, entry.name));
    else if (entry.name.endsWith('.json')) {
      mkdirSync(to, { recursive: true });
      cpSync(source, path.join(to, entry.name));
    }
  }
}
