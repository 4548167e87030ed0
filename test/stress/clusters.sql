SELECT count(DISTINCT entity_id) FROM usermatch.clusters('stress', 'users_s');
