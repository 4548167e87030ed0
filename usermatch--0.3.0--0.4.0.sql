-- usermatch 0.3.0 -> 0.4.0: a shared online index, and what later sections add. A fresh CREATE
-- EXTENSION runs usermatch--0.1.0.sql, then the 0.1.0--0.2.0 and 0.2.0--0.3.0 scripts, then this
-- file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.4.0'" to load this file. \quit
-- == shared online index ==
-- Online indexes are published once as read-only files mapped by every backend (usermatch.
-- online_share); cache_stats gains the sharing figures as columns appended at the end.
CREATE FUNCTION usermatch._cache_stats_shared(
    OUT shared_entries bigint, OUT private_entries bigint, OUT mapped_bytes bigint, OUT attaches bigint,
    OUT published bigint, OUT published_files bigint, OUT published_bytes bigint, OUT file_evictions bigint,
    OUT stale_files_removed bigint, OUT publish_failures bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_cache_stats_shared'
    LANGUAGE C VOLATILE;
CREATE OR REPLACE VIEW usermatch.cache_stats AS
    SELECT s.*, x.shared_entries, x.private_entries, x.mapped_bytes, x.attaches, x.published, x.published_files,
           x.published_bytes, x.file_evictions, x.stale_files_removed, x.publish_failures
    FROM usermatch._cache_stats() s CROSS JOIN usermatch._cache_stats_shared() x;
COMMENT ON VIEW usermatch.cache_stats IS
    'This backend''s online index cache: entries, bytes (private + mapped), builds, hits, misses, evictions, delta rows read by the last call; shared (mapped) and private entries, attaches to indexes other backends published, indexes published, published files and bytes of the whole cluster';
