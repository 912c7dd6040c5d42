-- Instagram token refresh through the sync's queue: the daily job queues `token_refresh` messages
-- (`{"kind": "token_refresh", "accounts": [row ids]}`, at most 100 accounts each) on the
-- low-priority queue and pokes the service, whose queue workers refresh them. It replaces the
-- job's direct request to the service (20261130034612): the work is durable, spread over every
-- replica, and retried by the queue like the sync's.

-- Queues the Instagram Login accounts whose token ends within `p_within`; returns the messages sent.
create or replace function private.enqueue_instagram_token_refresh(
  p_within interval default interval '10 days',
  p_accounts_per_message integer default 100
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  messages jsonb[];
begin
  select coalesce(array_agg(jsonb_build_object('kind', 'token_refresh', 'accounts', ids)), '{}')
  into messages
  from (
    select jsonb_agg(due.id order by due.id) as ids
    from (
      -- Which tokens are due is public.instagram_tokens_to_refresh's rule (20261130034611).
      select r.id, (row_number() over (order by r.id) - 1) / p_accounts_per_message as chunk
      from public.instagram_tokens_to_refresh(p_within, 2147483647) r
    ) due
    group by due.chunk
  ) chunks;
  if cardinality(messages) > 0 then
    perform pgmq.send_batch(queue_name := 'social_link_sync_low', msgs := messages);
    perform private.poke_social_media_sync_workers();
  end if;
  return cardinality(messages);
end;
$$;

-- The accounts of a token_refresh message with their token ciphertext (the message holds ids
-- only, so no token is ever copied into a queue).
create or replace function public.instagram_tokens_of(p_ids uuid[])
returns table (id uuid, user_id text, account_id text, token_expires_at timestamptz, access_token text)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.account_id, a.token_expires_at, t.access_token
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.id = any(p_ids)
    and a.connected_via = 'instagram_login'
    and a.is_active
    and a.status <> 'needs_reauth'
  order by a.id
$$;

revoke execute on function private.enqueue_instagram_token_refresh(interval, integer)
  from public, anon, authenticated, service_role;
revoke execute on function public.instagram_tokens_of(uuid[]) from public, anon, authenticated;
grant execute on function public.instagram_tokens_of(uuid[]) to service_role;

-- The job by the same name now queues instead of calling the service.
select cron.schedule(
  'social-link-refresh-instagram-tokens',
  '20 4 * * *',
  $$select private.enqueue_instagram_token_refresh(interval '10 days')$$
);
