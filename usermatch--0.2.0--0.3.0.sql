-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit
