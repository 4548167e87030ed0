SELECT count(*) FROM usermatch.dedupe('stress', 'users_s');
