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

-- Related tables for resource embedding: clients <- projects <- tasks (many-to-one and back
-- one-to-many), a client's profile (one-to-one), people and the messages between them (two foreign
-- keys to one table: ambiguous without a hint), employees and their managers (self-reference).
create table rest_contract.clients (id integer primary key, name text not null);
create table rest_contract.projects (
  id integer primary key, name text not null, client_id integer references rest_contract.clients (id));
create table rest_contract.tasks (
  id integer primary key, name text not null, project_id integer not null references rest_contract.projects (id));
create table rest_contract.client_profiles (
  client_id integer primary key references rest_contract.clients (id), city text not null);
create table rest_contract.people (id integer primary key, name text not null);
create table rest_contract.messages (
  id integer primary key, body text not null,
  sender_id integer not null references rest_contract.people (id),
  recipient_id integer not null references rest_contract.people (id));
create table rest_contract.employees (
  id integer primary key, name text not null, manager_id integer references rest_contract.employees (id));
insert into rest_contract.clients values (1, 'Northwind'), (2, 'Contoso'), (3, 'Fabrikam');
insert into rest_contract.projects values
  (1, 'Website', 1), (2, 'Mobile app', 1), (3, 'Warehouse', 2), (4, 'Payroll', 2), (5, 'Internal tools', null);
insert into rest_contract.tasks values
  (1, 'Design', 1), (2, 'Build', 1), (3, 'Design', 2), (4, 'Build', 2),
  (5, 'Design', 3), (6, 'Build', 3), (7, 'Design', 4), (8, 'Build', 4), (9, 'Test', 1);
insert into rest_contract.client_profiles values (1, 'Seattle'), (2, 'Lisbon');
insert into rest_contract.people values (1, 'ann'), (2, 'bob');
insert into rest_contract.messages values (1, 'hi bob', 1, 2), (2, 'hi ann', 2, 1), (3, 'lunch?', 1, 2);
insert into rest_contract.employees values (1, 'ceo', null), (2, 'cto', 1), (3, 'developer', 2), (4, 'cfo', 1);
grant select on rest_contract.clients, rest_contract.projects, rest_contract.tasks, rest_contract.client_profiles,
  rest_contract.people, rest_contract.messages, rest_contract.employees to anon, authenticated, service_role;
-- Many-to-many: people assigned to projects through `assignments` (both keys in its primary key).
create table rest_contract.assignments (
  person_id integer references rest_contract.people (id),
  project_id integer references rest_contract.projects (id),
  role text not null,
  primary key (person_id, project_id)
);
insert into rest_contract.assignments values (1, 1, 'lead'), (1, 3, 'reviewer'), (2, 1, 'developer');
grant select on rest_contract.assignments to anon, authenticated, service_role;
-- Write tests add tasks with ids from 100 and remove them.
grant insert, update, delete on rest_contract.tasks to service_role;

-- Function shapes: a single OUT parameter, a single-column TABLE, a bare record and a set of
-- them, VARIADIC, fixed-length character and bit arguments, raised PT states, two cookies.
create function rest_contract.plus_one(num integer, out num_plus_one integer)
language sql immutable as $$ select num + 1 $$;
create function rest_contract.letters() returns table (letter text)
language sql immutable as $$ values ('A'), ('B') $$;
create function rest_contract.first_item() returns record
language sql stable as $$ select id, name from rest_contract.items where id = 1 $$;
create function rest_contract.fruit_records() returns setof record
language sql stable as $$ select id, name from rest_contract.items where category = 'fruit' order by id $$;
create function rest_contract.joined(variadic words text[] default '{}') returns text
language sql immutable as $$ select array_to_string(words, ' ') $$;
create function rest_contract.fixed_width(code character(3), flags bit(4)) returns text
language sql immutable as $$ select code || ':' || flags::text $$;
create function rest_contract.payment_required() returns void
language plpgsql as $$
begin
  raise sqlstate 'PT402' using message = 'Payment Required', detail = 'Quota exceeded', hint = 'Upgrade your plan';
end $$;
create function rest_contract.bad_status() returns void
language plpgsql as $$ begin raise sqlstate 'PT40A' using message = 'Wrong'; end $$;
create function rest_contract.two_cookies() returns text
language sql as $$
  select set_config('response.headers', '[{"Set-Cookie": "a=1; Path=/"}, {"Set-Cookie": "b=2; Path=/"}]', true);
  select 'ok'
$$;

-- Prefer: missing=default: an identity key, a column default and a domain default.
create domain rest_contract.positive_score as integer default 7 check (value > 0);
create table rest_contract.entries (
  id integer generated by default as identity primary key,
  label text not null,
  score rest_contract.positive_score,
  kind text not null default 'plain'
);
grant select, insert, delete on rest_contract.entries to service_role;
grant usage on all sequences in schema rest_contract to service_role;

-- Planner estimates (count=planned / estimated) match the rows once the tables are analyzed.
analyze rest_contract.items;

grant execute on all functions in schema rest_contract to anon, authenticated, service_role;
