-- Oversized blocks: a placeholder value shared by many records is skipped with a NOTICE naming
-- the key, never compared quadratically; NULL and empty keys never block together.
CREATE TABLE signups AS
SELECT i AS id,
       'Person ' || i AS full_name,
       CASE WHEN i <= 300 THEN '13800000000' WHEN i <= 320 THEN NULL WHEN i <= 340 THEN '' ELSE '139' || lpad(i::text, 8, '0') END AS phone
FROM generate_series(1, 400) AS i;
INSERT INTO signups VALUES (1001, 'Zhang Wei', '+86 139 0000 0401'), (1002, 'Zhang Wei', '13900000401');

SELECT usermatch.create_profile('signups', $${
  "id": "id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]],
  "max_block_size": 100 }$$);

SELECT * FROM usermatch.estimate_comparisons('signups', 'signups');
SELECT id1, id2 FROM usermatch.dedupe('signups', 'signups', 0) ORDER BY 1, 2;
