SELECT count(*) FROM usermatch.link('stress', 'users_s', 'users_t');
