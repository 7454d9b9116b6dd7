#!/usr/bin/env node
// nianbao's command: loads the compiled CLI (dist/src/cli.js, built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    `nianbao: the compiled CLI is missing (${cli}).\n` +
      'Run `npm run build` in the project folder (npm install does it too), then try again.\n',
  );
  process.exit(1);
}
const { main, exitAfterFlush } = await import(pathToFileURL(cli).href);
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
exitAfterFlush(await main(process.argv.slice(2)));
