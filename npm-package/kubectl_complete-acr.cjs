#!/usr/bin/env node
// `kubectl_complete-acr` from the npm package (package.json `bin`).
'use strict';
require('./start-role.cjs')('kubectl-acr', 'kubectl_complete-acr');
