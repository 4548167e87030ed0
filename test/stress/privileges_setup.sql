-- test/stress privileges: alice owns a table nobody else may read and a profile; mallory (no
-- superuser) has her own table, labels and profile. table_calls() lists, for every extension
-- function that takes a table (regclass), one call per such argument with alice's table in it;
-- normal_calls() one usable, schema-qualified call of every extension function (for the
-- search_path check). psql variable: spec.
CREATE EXTENSION usermatch;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'alice') THEN CREATE ROLE alice LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mallory') THEN CREATE ROLE mallory LOGIN; END IF;
END $$;
GRANT CREATE ON SCHEMA public TO alice, mallory;
GRANT CREATE ON DATABASE stress_priv TO mallory;
CREATE TABLE hostile_spec AS SELECT :'spec'::jsonb AS spec;
GRANT SELECT ON hostile_spec TO PUBLIC;
SET ROLE alice;
CREATE TABLE secret AS SELECT * FROM usermatch.generate_users(100, 3, 0.3, 0.5, 'realistic');
CREATE TABLE secret_labels AS SELECT a.user_id id1, b.user_id id2, a.entity_id = b.entity_id is_match
  FROM secret a JOIN secret b ON a.user_id < b.user_id LIMIT 100;
REVOKE ALL ON secret, secret_labels FROM PUBLIC;
SELECT usermatch.create_profile('alice_p', :'spec'::jsonb);
RESET ROLE;
SET ROLE mallory;
CREATE TABLE mal_users AS SELECT * FROM usermatch.generate_users(100, 4, 0.3, 0.5, 'realistic');
CREATE TABLE mal_labels AS SELECT a.user_id id1, b.user_id id2, a.entity_id = b.entity_id is_match
  FROM mal_users a JOIN mal_users b ON a.user_id < b.user_id LIMIT 100;
SELECT usermatch.create_profile('mal_p', :'spec'::jsonb);
RESET ROLE;

CREATE FUNCTION priv_functions() RETURNS TABLE(fn text, types regtype[], names text[]) LANGUAGE sql AS $$
  SELECT p.proname::text,
         coalesce((SELECT array_agg(t::regtype ORDER BY o) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o)), '{}'),
         coalesce((SELECT array_agg(n ORDER BY o) FROM unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)])))
                   WITH ORDINALITY u(n, m, o) WHERE m IN ('i', 'b', 'v')), '{}')
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'usermatch'
  WHERE p.prokind = 'f' $$;

CREATE FUNCTION priv_normal(fn text, typ regtype, arg text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE
    WHEN typ = 'text'::regtype THEN CASE
      WHEN arg = 'profile' THEN quote_literal('mal_p')
      WHEN arg = 'name' AND fn IN ('create_profile', 'drop_profile', 'restore_profile') THEN quote_literal('mal_tmp')
      WHEN arg = 'region' THEN quote_literal('CN') WHEN arg = 'date_order' THEN quote_literal('DMY')
      WHEN arg = 'preset' THEN quote_literal('realistic') WHEN arg = 'kind' THEN quote_literal('dedupe')
      ELSE quote_literal('Zhang Wei') END
    WHEN typ = 'regclass'::regtype THEN CASE WHEN arg = 'labels' THEN quote_literal('mal_labels') ELSE quote_literal('mal_users') END
    WHEN typ = 'jsonb'::regtype THEN CASE
      WHEN arg = 'spec' THEN '(SELECT spec FROM hostile_spec)'
      WHEN arg = 'options' THEN quote_literal('{}')
      WHEN arg = 'records' THEN quote_literal('[{"full_name": "Zhang Wei"}]')
      ELSE quote_literal('{"full_name": "Zhang Wei", "birth_date": "1980-01-01"}') END
    WHEN typ IN ('integer'::regtype, 'bigint'::regtype) THEN CASE WHEN arg = 'q' THEN '3' WHEN arg IN ('rows', 'k') THEN '10' ELSE '1' END
    WHEN typ = 'double precision'::regtype THEN '0.5'
    WHEN typ = 'boolean'::regtype THEN 'true'
    WHEN typ = 'text[]'::regtype THEN quote_literal('{CN}')
    WHEN typ = 'interval'::regtype THEN quote_literal('1 second')
    ELSE 'NULL' END || '::' || typ::text $$;

CREATE FUNCTION normal_calls() RETURNS TABLE(stmt text) LANGUAGE sql AS $$
  SELECT format('SELECT count(*) FROM usermatch.%I(%s);', f.fn,
                (SELECT coalesce(string_agg(priv_normal(f.fn, f.types[i], f.names[i]), ', ' ORDER BY i), '')
                 FROM generate_series(1, cardinality(f.types)) i))
  FROM priv_functions() f $$;

CREATE FUNCTION table_calls() RETURNS TABLE(stmt text) LANGUAGE sql AS $$
  SELECT format('SELECT count(*) FROM usermatch.%I(%s);', f.fn,
                (SELECT string_agg(CASE WHEN i = t THEN quote_literal(CASE WHEN f.names[i] = 'labels' THEN 'secret_labels' ELSE 'secret' END) || '::regclass'
                                        ELSE priv_normal(f.fn, f.types[i], f.names[i]) END, ', ' ORDER BY i)
                 FROM generate_series(1, cardinality(f.types)) i))
  FROM priv_functions() f, generate_series(1, cardinality(f.types)) t
  WHERE f.types[t] = 'regclass'::regtype $$;
GRANT EXECUTE ON FUNCTION priv_normal(text, regtype, text) TO PUBLIC;
