-- test/stress hostile_sql: the data, and hostile_calls(), which lists one statement per hostile call
-- of every SQL function that belongs to the extension (enumerated from pg_proc + pg_depend, so a
-- function added later is covered without editing this file): all arguments NULL, then each
-- argument in turn given every hostile value of its type while the others keep a usable value.
-- psql variable: spec (a valid profile for generate_users columns).
CREATE EXTENSION usermatch;
CREATE TABLE users_s AS SELECT * FROM usermatch.generate_users(60, 1, 0.3, 0.5, 'realistic');
CREATE TABLE labels AS SELECT a.user_id id1, b.user_id id2, a.entity_id = b.entity_id is_match
  FROM users_s a JOIN users_s b ON a.user_id < b.user_id LIMIT 200;
CREATE VIEW users_v AS SELECT * FROM users_s;
CREATE TABLE empty_t ();
CREATE TABLE wide_t AS SELECT 'x' AS user_id, repeat('y', 1000000) AS full_name;
SELECT usermatch.create_profile('hp', :'spec'::jsonb);
SELECT usermatch.create_profile('hp_other', :'spec'::jsonb);
CREATE TABLE hostile_spec AS SELECT :'spec'::jsonb AS spec;

-- A usable value for an argument, by type and name (as an SQL expression).
CREATE FUNCTION hostile_normal(fn text, typ regtype, arg text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE
    WHEN typ = 'text'::regtype THEN CASE
      WHEN arg = 'profile' THEN quote_literal('hp')
      WHEN arg = 'name' AND fn IN ('create_profile', 'drop_profile', 'restore_profile') THEN quote_literal('hp_other')
      WHEN arg IN ('region') THEN quote_literal('CN')
      WHEN arg IN ('date_order') THEN quote_literal('DMY')
      WHEN arg IN ('preset') THEN quote_literal('realistic')
      WHEN arg IN ('kind') THEN quote_literal('dedupe')
      WHEN arg IN ('email') THEN quote_literal('Zhang.Wei+x@Example.com')
      WHEN arg IN ('phone') THEN quote_literal('+86 138 0013 8000')
      WHEN arg IN ('id_number') THEN quote_literal('11010519491231002X')
      WHEN arg IN ('country') THEN quote_literal('China')
      WHEN arg IN ('note') THEN quote_literal('n')
      ELSE quote_literal('Zhang Wei') END
    WHEN typ = 'regclass'::regtype THEN CASE WHEN arg = 'labels' THEN quote_literal('labels') ELSE quote_literal('users_s') END
    WHEN typ = 'jsonb'::regtype THEN CASE
      WHEN arg = 'spec' THEN '(SELECT spec FROM hostile_spec)'
      WHEN arg IN ('options') THEN quote_literal('{}')
      WHEN arg IN ('records') THEN quote_literal('[{"full_name": "Zhang Wei"}]')
      ELSE quote_literal('{"full_name": "Zhang Wei", "birth_date": "1980-01-01"}') END
    WHEN typ IN ('integer'::regtype, 'bigint'::regtype, 'smallint'::regtype) THEN CASE
      WHEN arg = 'q' THEN '3' WHEN arg = 'rows' THEN '10' WHEN arg = 'k' THEN '10' ELSE '1' END
    WHEN typ IN ('double precision'::regtype, 'real'::regtype, 'numeric'::regtype) THEN '0.5'
    WHEN typ = 'boolean'::regtype THEN 'true'
    WHEN typ = 'text[]'::regtype THEN quote_literal('{CN,US}')
    WHEN typ = 'interval'::regtype THEN quote_literal('1 second')
    ELSE 'NULL' END || '::' || typ::text $$;

-- Hostile values of a type (SQL expressions).
CREATE FUNCTION hostile_values(typ regtype) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT v || '::' || typ::text FROM unnest(CASE
    WHEN typ = 'text'::regtype THEN ARRAY['NULL', $v$''$v$, $v$' '$v$, $v$repeat('x', 10485760)$v$,
      $v$repeat('中', 3495254)$v$, $v$repeat('Zhang Wei ', 1048576)$v$, $v$E'\x01\x7f\u200b\ufeff'$v$,
      $v$repeat('+', 100000)$v$, $v$'{"id": "user_id"}'$v$]
    WHEN typ = 'regclass'::regtype THEN ARRAY['NULL', $v$0::oid$v$, $v$'pg_authid'$v$, $v$'pg_class'$v$,
      $v$'users_v'$v$, $v$'empty_t'$v$, $v$'wide_t'$v$, $v$'labels'$v$]
    WHEN typ = 'jsonb'::regtype THEN ARRAY['NULL', $v$'null'$v$, $v$'[]'$v$, $v$'{}'$v$, $v$'"x"'$v$, $v$'1e308'$v$,
      $v$jsonb_build_object('full_name', repeat('x', 10485760), 'id', repeat('y', 10485760))$v$,
      $v$(repeat('[', 5000) || repeat(']', 5000))$v$,
      $v$(SELECT jsonb_agg(x) FROM generate_series(1, 100000) x)$v$,
      $v$(SELECT spec || '{"threshold": 1e300, "max_block_size": -1}' FROM hostile_spec)$v$,
      $v$(SELECT jsonb_set(spec, '{fields,0,type}', '"no_such_type"') FROM hostile_spec)$v$,
      $v$(SELECT jsonb_set(spec, '{blocking}', (SELECT jsonb_agg('["name"]'::jsonb) FROM generate_series(1, 10000))) FROM hostile_spec)$v$]
    WHEN typ = 'integer'::regtype THEN ARRAY['NULL', '-2147483648', '2147483647', '0', '-1']
    WHEN typ = 'bigint'::regtype THEN ARRAY['NULL', '-9223372036854775808', '9223372036854775807', '0', '-1']
    WHEN typ = 'smallint'::regtype THEN ARRAY['NULL', '-32768', '32767']
    WHEN typ IN ('double precision'::regtype, 'real'::regtype) THEN ARRAY['NULL', $v$'NaN'$v$, $v$'Infinity'$v$,
      $v$'-Infinity'$v$, '-0.0', '1e308', '-1', '4.9e-324']
    WHEN typ = 'numeric'::regtype THEN ARRAY['NULL', $v$'NaN'$v$, '1e1000']
    WHEN typ = 'boolean'::regtype THEN ARRAY['NULL', 'false']
    WHEN typ = 'text[]'::regtype THEN ARRAY['NULL', $v$'{}'$v$, $v$'{NULL}'$v$, $v$ARRAY[repeat('x', 10485760)]$v$,
      $v$(SELECT array_agg('CN') FROM generate_series(1, 100000))$v$, $v$'{{CN,US},{GB,FR}}'$v$]
    WHEN typ = 'interval'::regtype THEN ARRAY['NULL', $v$'-178000000 years'$v$, $v$'infinity'$v$]
    ELSE ARRAY['NULL'] END) v $$;

-- The extension's functions with their input arguments (type and name, in order).
CREATE FUNCTION hostile_functions() RETURNS TABLE(fn text, sig text, types regtype[], names text[]) LANGUAGE sql AS $$
  SELECT p.proname::text, p.oid::regprocedure::text,
         coalesce((SELECT array_agg(t::regtype ORDER BY o) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o)), '{}'),
         coalesce((SELECT array_agg(n ORDER BY o) FROM unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)])))
                   WITH ORDINALITY u(n, m, o) WHERE m IN ('i', 'b', 'v')), '{}')
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'usermatch'
  WHERE p.prokind = 'f' $$;

-- One statement per call; count(*) keeps 10 MB results off the terminal.
CREATE FUNCTION hostile_calls() RETURNS TABLE(ord int, fn text, stmt text) LANGUAGE plpgsql AS $$
DECLARE f record; normal text[]; args text[]; v text; n int := 0; nargs int;
BEGIN
  FOR f IN SELECT * FROM hostile_functions() ORDER BY 2 LOOP
    nargs := cardinality(f.types);
    normal := ARRAY(SELECT hostile_normal(f.fn, f.types[i], f.names[i]) FROM generate_series(1, nargs) i);
    n := n + 1; ord := n; fn := f.sig;
    stmt := format('SELECT count(*) FROM usermatch.%I(%s);', f.fn,
                   (SELECT coalesce(string_agg('NULL::' || t::text, ', '), '') FROM unnest(f.types) t));
    RETURN NEXT;
    FOR i IN 1..nargs LOOP
      FOR v IN SELECT hostile_values(f.types[i]) LOOP
        args := normal; args[i] := v;
        n := n + 1; ord := n;
        stmt := format('SELECT count(*) FROM usermatch.%I(%s);', f.fn, array_to_string(args, ', '));
        RETURN NEXT;
      END LOOP;
    END LOOP;
  END LOOP;
END $$;
