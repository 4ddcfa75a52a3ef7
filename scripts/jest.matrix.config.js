// The project's jest configuration, with aws-cdk-lib and constructs taken from CDK_MATRIX_MODULES (a separate
// install) for every module that imports them, cdk-nag included. Used by scripts/matrix.sh.
const path = require('path');
const root = path.resolve(__dirname, '..');
const modules = path.resolve(root, process.env.CDK_MATRIX_MODULES);
const base = require(path.join(root, 'package.json')).jest;

module.exports = {
  ...base,
  rootDir: root,
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    '^aws-cdk-lib$': path.join(modules, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': path.join(modules, 'aws-cdk-lib', '$1'),
    '^constructs$': path.join(modules, 'constructs'),
  },
};
