-- A fourth account status, `expiring`: the account works, but its token or its data access ends
-- soon and the person has to reconnect before then (see the connection-health migration).
--
-- On its own migration because a value added to an enum cannot be used in the transaction that
-- adds it, and `supabase db push` runs each migration file in one transaction.
alter type public.social_media_account_status add value if not exists 'expiring' after 'connected';
