-- test/stress privileges, search_path: mallory's schema mal shadows every function of the extension
-- (same name and input types) and common built-ins (lower, upper, btrim, length, format, now,
-- to_jsonb, regexp_replace, current_setting, the text = and || operators). Every shadow records
-- who ran it in mal.hits. run.sh then has the superuser and mallory call every extension function
-- with search_path = mal, pg_catalog, public.
CREATE SCHEMA mal;
GRANT USAGE ON SCHEMA mal TO PUBLIC;
CREATE TABLE mal.hits (fn text, who text);
GRANT SELECT, INSERT ON mal.hits TO PUBLIC;
CREATE FUNCTION mal.hit(fn text) RETURNS void LANGUAGE sql AS $$ INSERT INTO mal.hits VALUES (fn, current_user::text) $$;
DO $$
DECLARE f record; rt text;
BEGIN
  FOR f IN SELECT p.proname, pg_get_function_identity_arguments(p.oid) ident,
                  (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY o) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o)) types
           FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'usermatch' WHERE p.prokind = 'f' LOOP
    BEGIN
      EXECUTE format('CREATE FUNCTION mal.%I(%s) RETURNS void LANGUAGE sql AS %L', f.proname, coalesce(f.types, ''),
                     format('SELECT mal.hit(%L)', f.proname));
    EXCEPTION WHEN duplicate_function THEN NULL;
    END;
  END LOOP;
END $$;
CREATE FUNCTION mal.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('lower'); SELECT pg_catalog.lower($1) $$;
CREATE FUNCTION mal.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('upper'); SELECT pg_catalog.upper($1) $$;
CREATE FUNCTION mal.btrim(text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('btrim'); SELECT pg_catalog.btrim($1) $$;
CREATE FUNCTION mal.length(text) RETURNS int LANGUAGE sql AS $$ SELECT mal.hit('length'); SELECT pg_catalog.length($1) $$;
CREATE FUNCTION mal.format(text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('format'); SELECT pg_catalog.format($1) $$;
CREATE FUNCTION mal.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT mal.hit('now'); SELECT pg_catalog.now() $$;
CREATE FUNCTION mal.to_jsonb(text) RETURNS jsonb LANGUAGE sql AS $$ SELECT mal.hit('to_jsonb'); SELECT pg_catalog.to_jsonb($1) $$;
CREATE FUNCTION mal.regexp_replace(text, text, text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('regexp_replace'); SELECT pg_catalog.regexp_replace($1, $2, $3) $$;
CREATE FUNCTION mal.current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('current_setting'); SELECT pg_catalog.current_setting($1) $$;
CREATE FUNCTION mal.texteq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT mal.hit('= (text)'); SELECT pg_catalog.texteq($1, $2) $$;
CREATE OPERATOR mal.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.texteq);
CREATE FUNCTION mal.textcat(text, text) RETURNS text LANGUAGE sql AS $$ SELECT mal.hit('|| (text)'); SELECT pg_catalog.textcat($1, $2) $$;
CREATE OPERATOR mal.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.textcat);
