#!/usr/bin/env node
// `kubectl-acr` from the npm package (package.json `bin`).
'use strict';
require('./start-role.cjs')('kubectl-acr', 'kubectl-acr');
