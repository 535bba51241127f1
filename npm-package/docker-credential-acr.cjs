#!/usr/bin/env node
// `docker-credential-acr` from the npm package (package.json `bin`).
'use strict';
require('./start-role.cjs')('docker-credential-acr', 'docker-credential-acr');
