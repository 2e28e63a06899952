// The Node versions GRPO Stack runs on (root package.json `engines`). Imported first by the
// `grpo` command and `npm start`, so an older Node stops with a clear message instead of
// failing later inside isolated-vm ("compiled against a different Node.js version").
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `GRPO Stack needs Node 22 or 24 (LTS); this is Node ${process.version}.\n` +
      'Install Node 24, or run through the pinned one the repository fetches from the npm registry:\n' +
      '  scripts/node.sh 24 npm install && scripts/node.sh 24 npm start',
  );
  process.exit(1);
}
