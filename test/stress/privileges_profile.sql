-- test/stress privileges: mallory tries to change alice's profile alice_p (run as mallory).
-- run.sh compares alice_p and its versions before and after; every line is one attempt.
-- attempt
SELECT usermatch.create_profile('alice_p', '{"id": "user_id", "fields": [{"name": "name", "column": "full_name", "type": "person_name"}], "blocking": [["name"]]}');
-- attempt
SELECT usermatch.create_profile('alice_p', '{"id": "user_id", "fields": [{"name": "name", "column": "full_name", "type": "person_name"}], "blocking": [["name"]]}', replace => true);
-- attempt
SELECT usermatch.restore_profile('alice_p', 1);
-- attempt
SELECT usermatch.drop_profile('alice_p');
-- attempt
SELECT usermatch.train('alice_p', 'mal_users');
-- attempt
SELECT * FROM usermatch.train_labels('alice_p', 'mal_labels', 'mal_users');
-- attempt
UPDATE usermatch.profiles SET spec = '{}' WHERE name = 'alice_p';
-- attempt
UPDATE usermatch.profiles SET owner = 'mallory' WHERE name = 'alice_p';
-- attempt
DELETE FROM usermatch.profiles WHERE name = 'alice_p';
-- attempt
INSERT INTO usermatch.profile_versions (name, version, spec, owner) VALUES ('alice_p', 99, '{}', 'alice');
-- attempt
INSERT INTO usermatch.profile_versions (name, version, spec) VALUES ('alice_p', 98, '{}');
-- attempt
UPDATE usermatch.profile_versions SET spec = '{}' WHERE name = 'alice_p';
-- attempt
DELETE FROM usermatch.profile_versions WHERE name = 'alice_p';
-- attempt
ALTER TABLE usermatch.profiles DISABLE ROW LEVEL SECURITY;
-- attempt
SET ROLE alice;
-- attempt
SET SESSION AUTHORIZATION alice;
