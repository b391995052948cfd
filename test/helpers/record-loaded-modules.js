// Preloaded (node -r) by the CLI help test: on exit, writes the paths of every
// module the process loaded to $PARLEY_LOADED_MODULES_FILE, so the test can
// check that --help loaded nothing heavy (no ORM, database driver or SDK).
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.PARLEY_LOADED_MODULES_FILE;
  if (file) fs.writeFileSync(file, Object.keys(require.cache).join('\n'));
});
