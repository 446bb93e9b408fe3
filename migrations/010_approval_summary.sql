-- What a person approves: the summary the gateway built from the call's parsed arguments and the
-- records (order, customer, amount in currency, the model's free text apart), stored with the
-- approval so that every client shows the same one. NULL: it could not be built (the database was
-- down, or the call names something the caller cannot see); such a request can only be rejected.
ALTER TABLE approvals ADD COLUMN summary JSONB;
