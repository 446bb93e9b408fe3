-- Past cases are checked for customers' names before they are shown to another customer: the
-- names are looked up by this key (lower case, single spaces; nameKey in
-- domains/support/privacy/scrub-personal-data.ts), so the lookup need not read every customer.
CREATE INDEX customers_name_key ON customers ((regexp_replace(lower(btrim(name)), '\s+', ' ', 'g')));
