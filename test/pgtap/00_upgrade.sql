-- Upgrades: every script of the chain applies, and an upgraded install has exactly the objects
-- of a fresh one (functions with their signatures, tables, views, policies). Runs in a
-- transaction that is rolled back, so the other files still see the fresh install.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(4);

CREATE TEMP TABLE fresh_objects AS
SELECT pg_describe_object(classid, objid, objsubid) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'usermatch')
   AND deptype = 'e';
CREATE TEMP TABLE fresh_policies AS
SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'usermatch';

DROP EXTENSION usermatch CASCADE;
CREATE EXTENSION usermatch VERSION '0.1.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'usermatch'), '0.1.0',
          'the first release installs');
ALTER EXTENSION usermatch UPDATE;
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'usermatch'),
          (SELECT default_version FROM pg_available_extensions WHERE name = 'usermatch'),
          'ALTER EXTENSION usermatch UPDATE reaches the default version');
SELECT set_eq($$SELECT pg_describe_object(classid, objid, objsubid)
                  FROM pg_depend
                 WHERE refclassid = 'pg_extension'::regclass
                   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'usermatch')
                   AND deptype = 'e'$$,
              'SELECT object FROM fresh_objects',
              'an upgraded install has the same objects as a fresh one');
SELECT set_eq($$SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'usermatch'$$,
              'SELECT * FROM fresh_policies',
              'and the same row-level security policies');

SELECT * FROM finish();
ROLLBACK;
