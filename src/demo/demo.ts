import { scrub } from '../log/secrets.js';
import { errorMessage } from '../util/error-message.js';
import { packageRoot } from '../util/package-root.js';
import { runDemo } from './run-demo.js';

// `npm run demo`: the bundled mapping reads data/… relative to the package root, so run from there.
process.chdir(packageRoot());
runDemo().then(
  (result) => {
    process.exitCode = result.exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`affinity-sync demo: ${scrub(errorMessage(error))}\n`);
    process.exitCode = 1;
  },
);
