-- devstack stand-in for supabase/pg_net 0.20.4: the same schema, tables and function signatures.
-- Requests are queued in net.http_request_queue; devstack/net_worker.py plays pg_net's background
-- worker: it is woken after commit (pg_notify is transactional, like pg_net's "requests are not
-- started until the transaction is committed"), deletes each queued row, performs the request and
-- records the outcome in net._http_response. Nothing is retried, as in pg_net.

create schema if not exists net;

create domain net.http_method as text
check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

create unlogged table net.http_request_queue (
  id bigserial primary key,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);

create index on net._http_response (created);

create function net._urlencode_params(url text, params jsonb) returns text
language sql immutable as $$
  select case
    when params is null or params = '{}'::jsonb then url
    else url || case when strpos(url, '?') > 0 then '&' else '?' end || (
      select string_agg(key || '=' || value, '&' order by key) from jsonb_each_text(params)
    )
  end
$$;

create function net._enqueue(method text, url text, headers jsonb, body bytea, timeout_milliseconds integer)
returns bigint
language plpgsql as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, url, headers, body, timeout_milliseconds)
  returning id into request_id;
  perform pg_notify('pg_net_request', request_id::text);
  return request_id;
end;
$$;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql as $$
  select net._enqueue('GET', net._urlencode_params(url, params), headers, null, timeout_milliseconds)
$$;

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language plpgsql as $$
declare
  content_type text;
begin
  select value into content_type from jsonb_each_text(coalesce(headers, '{}'::jsonb))
  where lower(key) = 'content-type';
  if content_type is null then
    headers = coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;
  return net._enqueue('POST', net._urlencode_params(url, params), headers,
                      convert_to(coalesce(body, '{}'::jsonb)::text, 'UTF8'), timeout_milliseconds);
end;
$$;

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
) returns bigint
language sql as $$
  select net._enqueue('DELETE', net._urlencode_params(url, params), headers,
                      case when body is null then null else convert_to(body::text, 'UTF8') end,
                      timeout_milliseconds)
$$;

-- pg_net's own grants (since 0.12.0): the schema, its tables and sequences to PUBLIC. A queued
-- request's headers (secrets included) are readable from SQL until the worker takes them, so the
-- `net` schema must never be exposed through the Data API.
grant usage on schema net to public;
grant all privileges on all sequences in schema net to public;
grant all privileges on all tables in schema net to public;
