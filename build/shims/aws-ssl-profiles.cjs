'use strict';
// mysql2's named TLS profiles for Amazon RDS; the agents never use them (181 KB saved per invocation).
module.exports = {};
