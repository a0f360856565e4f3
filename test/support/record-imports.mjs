// @fileoverview A module hook for test/cli-startup.test.ts: writes every resolved module URL to fd 2 as
// "import: URL", so the test can see which packages a command loads.
import { writeSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, `import: ${result.url}\n`);
  return result;
}
