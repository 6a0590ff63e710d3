-- W3C trace context (traceparent) stored with the durable rows, so work done later, or by a restarted hub, joins the
-- trace of the webhook it came from. Null when tracing is off (the default) or the work had no trace.
ALTER TABLE inbox_event ADD COLUMN traceparent VARCHAR(64);
ALTER TABLE outbox_delivery ADD COLUMN traceparent VARCHAR(64);
