'use strict';

// Baseline only, not product code: the tutorial's design, reproduced for the benchmark.
// Express, and a brand-new MySQL connection opened (and closed) inside every request. The one
// change from the tutorial is the query: the same bounded, keyset query the service runs, so the
// comparison measures the design, not an unbounded SELECT *.
const express = require('express');
const mysql = require('mysql2');

const { LIST_USERS_SQL: QUERY } = require('../src/db');
const app = express();

app.get('/users', (req, res) => {
  const connection = mysql.createConnection({
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT),
    user: process.env.DB_USER,
    password: process.env.DB_PASSWORD,
    database: process.env.DB_NAME,
  });
  const limit = Number(req.query.limit) || 50;
  connection.query(QUERY, [0, limit], (err, rows) => {
    connection.end();
    if (err) {
      res.status(500).json({ error: err.message });
      return;
    }
    res.json(rows);
  });
});

app.listen(Number(process.env.PORT), '127.0.0.1');
