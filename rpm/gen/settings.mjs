// Reads the settings table (src/config/settings.ts) the way the shipped bundle sees it, so the
// configuration file and the man page are generated from the one list instead of a copy.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** SETTINGS, SETTING_PREFIX and DEFAULT_CONFIG_FILE from src/config/settings.ts of `repo`. */
export async function loadSettings(repo) {
  const out = await build({
    entryPoints: [path.join(repo, 'src/config/settings.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
  const mod = { exports: {} };
  const req = createRequire(path.join(repo, 'package.json'));
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, req);
  const { SETTINGS, SETTING_PREFIX, DEFAULT_CONFIG_FILE } = mod.exports;
  if (!Array.isArray(SETTINGS) || SETTINGS.length === 0) throw new Error('src/config/settings.ts exports no SETTINGS');
  return { settings: SETTINGS, prefix: SETTING_PREFIX, configFile: DEFAULT_CONFIG_FILE };
}
