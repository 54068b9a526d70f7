-- Completing or failing a melt finds its operation by quote; PostgreSQL had this index from 0001.
CREATE INDEX operations_quote ON operations (quote_id) WHERE quote_id IS NOT NULL;
