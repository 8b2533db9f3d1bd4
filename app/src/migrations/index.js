'use strict';

// Applied in this order; ids are recorded in schema_migrations and must never change.
module.exports = [require('./001_create_users')];
