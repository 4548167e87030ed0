-- usermatch 0.1.0 -> 0.2.0: hardening (issue 7) and what later sections add.
-- A fresh CREATE EXTENSION runs usermatch--0.1.0.sql and then this file, so an install and an
-- upgrade always end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.2.0'" to load this file. \quit
