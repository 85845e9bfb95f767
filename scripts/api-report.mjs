// Rewrites libs/*/api-report/*.api.md from the packages' built declarations (run it through
// `npm run api:report`, which builds them first). Review the diff like code: every line is a
// promise to host apps. test/packages.e2e-spec.ts fails while a report differs from the surface.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGES } from './build-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let failed = false;
for (const name of PACKAGES) {
  const config = ExtractorConfig.loadFileAndPrepare(join(root, 'libs', name, 'api-extractor.json'));
  const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false });
  console.log(`@idp/${name}: ${result.apiReportChanged ? 'report updated' : 'report unchanged'}`);
  failed ||= !result.succeeded;
}
process.exitCode = failed ? 1 : 0;
