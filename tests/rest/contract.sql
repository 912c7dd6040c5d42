-- The `rest_contract` schema: relations and functions that exercise the REST layer's contract.
-- Recreated at the start of each test session, as the cluster superuser.

drop schema if exists rest_contract cascade;
create schema rest_contract;
grant usage on schema rest_contract to anon, authenticated, service_role;

-- Read-only fixture data: the read tests assert on exactly these rows.
create table rest_contract.items (
  id integer primary key,
  name text not null,
  category text,
  price numeric(10, 2),
  tags text[] not null default '{}',
  metrics jsonb,
  active boolean,
  released date,
  season daterange
);
insert into rest_contract.items (id, name, category, price, tags, metrics, active, released, season) values
  (1, 'apple', 'fruit', 1.20, '{red,sweet}', '{"views": 10, "likes": 1}', true, '2024-01-01', '[2024-01-01,2024-02-01)'),
  (2, 'banana', 'fruit', 0.50, '{yellow}', '{"views": 25, "likes": 5}', true, '2024-02-01', '[2024-02-01,2024-03-01)'),
  (3, 'cherry', 'fruit', 3.00, '{red}', '{"views": 5}', false, '2024-03-01', '[2024-03-01,2024-04-01)'),
  (4, 'carrot', 'vegetable', 0.80, '{orange}', null, true, null, null),
  (5, 'Crab, king', 'seafood', 42.00, '{}', '{"views": 100}', null, '2024-05-01', '[2024-05-01,)'),
  (6, 'daikon', null, null, '{white}', null, false, '2024-06-01', '[2023-01-01,2023-06-01)');
grant select on rest_contract.items to anon, authenticated, service_role;

-- Rows the write tests create; each test uses its own `owner` so tests do not see each other.
create table rest_contract.notes (
  id uuid primary key default gen_random_uuid(),
  owner text not null,
  slug text not null,
  body text not null default 'empty',
  score integer not null default 0,
  item_id integer references rest_contract.items (id),
  created_at timestamptz not null default now(),
  constraint notes_owner_slug_key unique (owner, slug)
);
grant select, insert, update, delete on rest_contract.notes to authenticated, service_role;

-- No grants at all: every role but the owner gets 42501.
create table rest_contract.locked (id integer primary key, secret text);

create function rest_contract.items_in_category(p_category text) returns setof rest_contract.items
language sql stable as $$ select * from rest_contract.items where category = p_category order by id $$;

create function rest_contract.add(a integer, b integer default 1) returns integer
language sql immutable as $$ select a + b $$;

-- A single unnamed jsonb parameter: POST /rpc/echo passes the whole body.
create function rest_contract.echo(jsonb) returns jsonb
language sql immutable as $$ select $1 $$;

-- One named jsonb parameter: called with {"payload": ...}, or with the whole body under
-- `Prefer: params=single-object`.
create function rest_contract.count_keys(payload jsonb) returns integer
language sql immutable as $$ select count(*)::integer from jsonb_object_keys(payload) $$;

create function rest_contract.tag_counts() returns table (tag text, items bigint)
language sql stable as $$ select tag, count(*) from rest_contract.items, unnest(tags) tag group by tag order by tag $$;

create function rest_contract.bump_scores(p_owner text) returns void
language sql as $$ update rest_contract.notes set score = score + 1 where owner = p_owner $$;

create function rest_contract.fail(p_message text) returns void
language plpgsql as $$ begin raise exception '%', p_message using hint = 'raised on purpose'; end $$;

-- Sets the response's status and headers through the GUCs PostgREST reads after the statement.
create function rest_contract.queue_job() returns jsonb
language sql as $$
  select set_config('response.status', '202', true), set_config('response.headers', '[{"Location": "/jobs/7"}]', true);
  select '{"queued": true}'::jsonb
$$;

-- What the transaction looks like from inside: the settings PostgREST's pre-query makes.
create function rest_contract.request_context() returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'current_user', current_user,
    'statement_timeout', current_setting('statement_timeout'),
    'claims', current_setting('request.jwt.claims', true)::jsonb,
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'probe', current_setting('request.headers', true)::jsonb ->> 'x-probe',
    'search_path', current_setting('search_path'),
    'read_only', current_setting('transaction_read_only'))
$$;

grant execute on all functions in schema rest_contract to anon, authenticated, service_role;
