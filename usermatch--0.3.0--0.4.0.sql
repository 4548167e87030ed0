-- usermatch 0.3.0 -> 0.4.0: a shared online index, and what later sections add. A fresh CREATE
-- EXTENSION runs usermatch--0.1.0.sql, then the 0.1.0--0.2.0 and 0.2.0--0.3.0 scripts, then this
-- file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.4.0'" to load this file. \quit
