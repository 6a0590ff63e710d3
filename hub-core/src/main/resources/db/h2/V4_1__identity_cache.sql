-- H2 only. H2 hands out identity values from a cache of 32 and, each time it refills it, writes the sequence's new
-- state in a transaction and commit of its own: one extra commit per 32 webhooks and per 32 deliveries (B1
-- benchmark). A larger cache makes that rare. A crash loses at most the values still cached, which leaves a gap in
-- seq and id; readers already expect gaps (a rolled-back insert leaves one too).
ALTER TABLE inbox_event ALTER COLUMN seq SET CACHE 1024;
ALTER TABLE outbox_delivery ALTER COLUMN id SET CACHE 1024;
