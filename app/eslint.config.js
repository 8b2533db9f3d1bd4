'use strict';

// ESLint flat config: neostandard (the maintained successor of standard) with semicolons and no JSX,
// run by scripts/lint.sh. Two style rules follow the code as it is written rather than standard's
// defaults: no space before a named function's parenthesis, and trailing commas allowed (not required)
// in multi-line lists and calls. prefer-const ignores a `let` read (by a closure) before its one
// assignment: as a `const` that read would throw.
const neostandard = require('neostandard');

module.exports = [
  ...neostandard({ semi: true, noJsx: true, ignores: ['node_modules/**', '.cache/**'] }),
  {
    rules: {
      '@stylistic/space-before-function-paren': ['error', { anonymous: 'always', named: 'never', asyncArrow: 'always' }],
      '@stylistic/comma-dangle': ['error', 'only-multiline'],
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
    },
  },
];
